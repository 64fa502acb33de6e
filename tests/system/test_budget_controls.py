"""Budgets a finance team can rely on: a hard cap holds at the point of work (`next` answers budget_cap),
and a vendor's budget is in the currency its contract prices in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.services.vendors.support import (
    active_contract_with_rates,
    new_vendor,
    vendor_project,
    vendor_staff,
    work,
)
from tests.support.waiting import eventually

TODAY = datetime.now(UTC).date()
RATES = [{"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.50"}]


@pytest.fixture(scope="module")
def manager(users):
    return users.create("vendor_manager")


def _budget(manager, project_id, vendor_id, currency, start_days):
    return manager.post(
        "/api/v1/budgets",
        json={
            "project_id": project_id,
            "vendor_id": vendor_id,
            "amount": "100.00",
            "currency": currency,
            "period_start": str(TODAY + timedelta(days=start_days)),
            "period_end": str(TODAY + timedelta(days=start_days + 29)),
        },
    )


def test_a_budget_in_another_currency_than_the_contract_is_422_naming_the_field(manager, admin):
    vendor = new_vendor(manager)
    project, _ = vendor_project(admin, vendor["id"], task_type="ner", language="en", tasks=1)
    # The contract starts today; the month-to-date budget started 10 days before it.
    dates = {"starts_on": str(TODAY), "ends_on": str(TODAY + timedelta(days=365))}
    active_contract_with_rates(manager, vendor["id"], RATES, currency="EUR", **dates)

    refused = _budget(manager, project["id"], vendor["id"], "USD", start_days=-10)
    accepted = _budget(manager, project["id"], vendor["id"], "EUR", start_days=-10)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "currency"
    assert accepted.status_code == 201, accepted.text


BBOX_FR = [{"task_type": "bbox", "language": "fr", "unit": "task", "unit_price": "1.25"}]


def _capped_work(manager, admin, users, *, amount, tasks, staff=1):
    vendor = new_vendor(manager)
    dates = {"starts_on": str(TODAY - timedelta(days=30)), "ends_on": str(TODAY + timedelta(days=365))}
    active_contract_with_rates(manager, vendor["id"], BBOX_FR, **dates)
    project, queues = vendor_project(admin, vendor["id"], task_type="bbox", language="fr", tasks=tasks)
    people = [vendor_staff(admin, users, vendor["id"], languages=("fr",)) for _ in range(staff)]
    budget = manager.post(
        "/api/v1/budgets",
        json={"project_id": project["id"], "vendor_id": vendor["id"], "amount": amount, "currency": "USD",
              "period_start": str(TODAY - timedelta(days=1)), "period_end": str(TODAY + timedelta(days=29)),
              "hard_cap": True},
    )  # fmt: skip
    assert budget.status_code == 201, budget.text
    return vendor, queues, people, budget.json()


def _cap_known(admin, queue_id, contributor_id):
    explained = admin.get(f"/api/v1/queues/{queue_id}/eligibility", params={"contributor_id": contributor_id})
    rule = next(r for r in explained.json()["rules"] if r["rule"] == "within_budget")
    return rule["compared"]["max_units"]


def test_a_hard_cap_stops_next_at_the_cap_itself(manager, admin, users):
    # 2.50 USD at 1.25 a task buys two tasks.
    _, queues, [staffer], _ = _capped_work(manager, admin, users, amount="2.50", tasks=5)
    eventually(lambda: _cap_known(admin, queues["labeling"], staffer.contributor_id) == 2)

    work(staffer, queues["labeling"], answers=["cat"])
    second = staffer.post(f"/api/v1/queues/{queues['labeling']}/next")
    submitted = staffer.post(
        f"/api/v1/assignments/{second.json()['assignment_id']}/submit",
        json={"answer": "dog", "time_spent_seconds": 5},
    )
    refused = staffer.post(f"/api/v1/queues/{queues['labeling']}/next")

    assert second.status_code == 200 and submitted.status_code == 201
    assert (refused.status_code, refused.headers["LabelOps-Queue-Reason"]) == (204, "budget_cap")


def test_raising_the_budget_lets_work_go_on_at_once(manager, admin, users):
    _, queues, [staffer], budget = _capped_work(manager, admin, users, amount="1.25", tasks=5)
    eventually(lambda: _cap_known(admin, queues["labeling"], staffer.contributor_id) == 1)
    work(staffer, queues["labeling"], answers=["cat"])
    refused = staffer.post(f"/api/v1/queues/{queues['labeling']}/next")

    etag = manager.get(f"/api/v1/budgets/{budget['id']}").headers["etag"]
    raised = manager.patch(
        f"/api/v1/budgets/{budget['id']}", json={"amount": "5.00"}, headers={"If-Match": etag}
    )
    eventually(lambda: _cap_known(admin, queues["labeling"], staffer.contributor_id) == 4)

    assert refused.headers["LabelOps-Queue-Reason"] == "budget_cap"
    assert raised.status_code == 200, raised.text
    assert staffer.post(f"/api/v1/queues/{queues['labeling']}/next").status_code == 200


def test_a_cap_on_a_project_in_several_locales_counts_units_at_the_dearest_languages_price(
    manager, admin, users
):
    # 3.00 USD buys six English tasks at 0.50 but two Japanese ones at 1.25: the cap holds whichever comes.
    vendor = new_vendor(manager)
    dates = {"starts_on": str(TODAY - timedelta(days=30)), "ends_on": str(TODAY + timedelta(days=365))}
    rates = [
        {**RATES[0], "task_type": "sorting"},
        {**RATES[0], "task_type": "sorting", "language": "ja", "unit_price": "1.25"},
    ]
    active_contract_with_rates(manager, vendor["id"], rates, **dates)
    rows = [{"data": {"n": n}, "locale": locale} for n, locale in enumerate(["en-US", "ja-JP"] * 3)]
    project, queues = vendor_project(
        admin,
        vendor["id"],
        task_type="sorting",
        language="en",
        rows=rows,
        locales=["en-US", "ja-JP"],
        required_languages=[],
    )
    [staffer] = [vendor_staff(admin, users, vendor["id"], languages=("en", "ja"))]
    budget = manager.post(
        "/api/v1/budgets",
        json={"project_id": project["id"], "vendor_id": vendor["id"], "amount": "3.00", "currency": "USD",
              "period_start": str(TODAY - timedelta(days=1)), "period_end": str(TODAY + timedelta(days=29)),
              "hard_cap": True},
    )  # fmt: skip
    assert budget.status_code == 201, budget.text

    eventually(lambda: _cap_known(admin, queues["labeling"], staffer.contributor_id) == 2)
