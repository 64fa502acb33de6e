"""Invoices reconciled to production, budgets, negotiation vs benchmarks, scorecards — through the gateway.

Production is real: a vendor's contributor (made in the contributors service) works tasks of a vendor-only
project in the tasks service; the vendors service reads it from the tasks service at its normal URL.
Production counts by decision time, so the periods below run around today.
"""

from __future__ import annotations

import calendar
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.services.vendors.support import (
    Receiver,
    active_contract_with_rates,
    decide,
    new_contract,
    new_vendor,
    reviewer,
    vendor_project,
    vendor_staff,
    work,
)
from tests.support.waiting import eventually

PROBLEM = "application/problem+json"
RATES = [
    {"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.50",
     "tiers": [{"from_units": "3", "unit_price": "0.40"}]},
    {"task_type": "bbox", "language": "fr", "unit": "task", "unit_price": "1.25"},
    {"task_type": "ocr", "language": "en", "unit": "task", "unit_price": "0.20"},
]  # fmt: skip
TODAY = datetime.now(UTC).date()
MONTH_START = TODAY.replace(day=1)
MONTH_END = TODAY.replace(day=calendar.monthrange(TODAY.year, TODAY.month)[1])
# Contracts in force well before and after every period used here.
CONTRACT_DATES = {"starts_on": str(TODAY - timedelta(days=120)), "ends_on": str(TODAY + timedelta(days=365))}


def days(n: int) -> str:
    return str(TODAY + timedelta(days=n))


def contracted_vendor(manager, rates=RATES) -> dict:
    vendor = new_vendor(manager)
    active_contract_with_rates(manager, vendor["id"], rates, **CONTRACT_DATES)
    return vendor


def subscribed(manager, *event_types: str) -> Receiver:
    """A webhook receiver on loopback, subscribed to these event types."""
    receiver = Receiver()
    body = {"url": receiver.url, "event_types": list(event_types)}
    response = manager.post("/api/v1/webhook-subscriptions", json=body)
    assert response.status_code == 201, response.text
    return receiver


@pytest.fixture(scope="module")
def manager(users):
    return users.create("vendor_manager")


def invoice_body(vendor_id: int, **overrides) -> dict:
    return {
        "vendor_id": vendor_id,
        "number": f"INV-{uuid.uuid4().hex[:8]}",
        "currency": "USD",
        "period_start": str(MONTH_START),
        "period_end": str(MONTH_END),
        "lines": [
            {
                "task_type": "ner",
                "language": "en",
                "unit": "task",
                "units_claimed": "1200",
                "unit_price": "0.50",
            },
            {
                "task_type": "bbox",
                "language": "fr",
                "unit": "task",
                "units_claimed": "100",
                "unit_price": "1.25",
            },
        ],
        **overrides,
    }


# --- invoices ------------------------------------------------------------------------------------


def test_invoice_total_is_the_sum_of_rounded_line_amounts(manager):
    vendor = new_vendor(manager)
    body = invoice_body(vendor["id"], lines=[
        {"task_type": "ner", "language": "en", "unit": "task", "units_claimed": "3", "unit_price": "0.335"},
        {"task_type": "bbox", "language": "en", "unit": "task", "units_claimed": "3", "unit_price": "0.335"},
    ])  # fmt: skip

    invoice = manager.post("/api/v1/invoices", json=body).json()

    # 3 × 0.335 = 1.005 → 1.01 per line (half up), total 2.02 — never 2.01 from rounding the sum.
    assert [line["amount"] for line in invoice["lines"]] == ["1.01", "1.01"] and invoice["total"] == "2.02"
    assert invoice["status"] == "draft"


def claim(task_type: str, language: str, units: str, price: str) -> dict:
    return {"task_type": task_type, "language": language, "unit": "task", "units_claimed": units,
            "unit_price": price}  # fmt: skip


def test_reconciliation_reports_discrepancies_line_by_line(manager, admin, users):
    vendor = contracted_vendor(manager)
    staff = vendor_staff(admin, users, vendor["id"], languages=("en", "fr"))
    for task_type, language, n in (("ner", "en", 4), ("ocr", "en", 2)):
        _, queues = vendor_project(admin, vendor["id"], task_type=task_type, language=language, tasks=n)
        work(staff, queues["labeling"], answers=["cat"] * n)
    # bbox: 3 answers reviewed, 2 accepted and 1 rejected; rejected work is not measured.
    _, queues = vendor_project(
        admin, vendor["id"], task_type="bbox", language="fr", tasks=3, review_ratio=1.0
    )
    answers = work(staff, queues["labeling"], answers=["cat"] * 3)
    checker = reviewer(admin, users, queues["review"])
    for submission, verdict in zip(answers, ("accept", "reject", "accept"), strict=True):
        decide(checker, submission, verdict)
    invoice = manager.post("/api/v1/invoices", json=invoice_body(vendor["id"], lines=[
        claim("ner", "en", "5", "0.50"), claim("bbox", "fr", "2", "1.25"), claim("ocr", "en", "1", "0.20"),
        claim("sentiment", "en", "3", "0.10")])).json()  # fmt: skip

    report = manager.get(f"/api/v1/invoices/{invoice['id']}/reconciliation").json()

    ner, bbox, ocr, sentiment = (
        (line["status"], line["units_measured"], line["unit_difference"], line["amount_claimed"],
         line["amount_supported"], line["discrepancy"])
        for line in report["lines"]
    )  # fmt: skip
    # claimed 5 × 0.50 = 2.50; supported 3 × 0.50 + 1 × 0.40 = 1.90 (graduated tiers)
    assert ner == ("over_claimed", "4", "1", "2.50", "1.90", "0.60")
    assert bbox == ("matched", "2", "0", "2.50", "2.50", "0.00")
    assert ocr == ("under_claimed", "2", "-1", "0.20", "0.40", "-0.20")
    assert sentiment == ("unmeasured", "0", "3", "0.30", "0.00", "0.30")
    assert report["total_discrepancy"] == "0.70" and report["has_discrepancies"] is True


def test_reconciliation_counts_production_on_the_last_day_of_the_period_and_none_outside_it(
    manager, admin, users
):
    vendor = contracted_vendor(manager)
    _, queues = vendor_project(admin, vendor["id"], task_type="bbox", language="fr", tasks=2)
    work(
        vendor_staff(admin, users, vendor["id"], languages=("fr",)),
        queues["labeling"],
        answers=["cat", "dog"],
    )
    line = [claim("bbox", "fr", "2", "1.25")]
    ending_today = manager.post("/api/v1/invoices", json=invoice_body(
        vendor["id"], period_start=days(-6), period_end=days(0), lines=line)).json()  # fmt: skip
    ended_yesterday = manager.post("/api/v1/invoices", json=invoice_body(
        vendor["id"], period_start=days(-7), period_end=days(-1), lines=line)).json()  # fmt: skip

    today = manager.get(f"/api/v1/invoices/{ending_today['id']}/reconciliation").json()["lines"][0]
    before = manager.get(f"/api/v1/invoices/{ended_yesterday['id']}/reconciliation").json()["lines"][0]

    assert (today["status"], today["units_measured"]) == ("matched", "2")
    assert (before["status"], before["units_measured"]) == ("unmeasured", "0")


def test_invoice_walks_submitted_approved_paid(manager):
    invoice = manager.post("/api/v1/invoices", json=invoice_body(new_vendor(manager)["id"])).json()

    statuses = [
        manager.post(f"/api/v1/invoices/{invoice['id']}/transitions", json={"to": to}).json()["status"]
        for to in ("submitted", "approved", "paid")
    ]

    assert statuses == ["submitted", "approved", "paid"]


def test_concurrent_approvals_of_one_invoice_approve_it_once(manager):
    receiver = subscribed(manager, "invoice.approved")
    invoice = manager.post("/api/v1/invoices", json=invoice_body(new_vendor(manager)["id"])).json()
    manager.post(f"/api/v1/invoices/{invoice['id']}/transitions", json={"to": "submitted"})

    def approve(_: int) -> int:
        url = f"/api/v1/invoices/{invoice['id']}/transitions"
        return manager.post(url, json={"to": "approved"}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(approve, range(6)))

    # Each approval waits for the one before it and then sees an approved invoice: one wins, five 409.
    assert codes == [200] + [409] * 5
    audit = manager.get(f"/api/v1/invoices/{invoice['id']}/audit").json()["items"]
    assert [row["to_status"] for row in audit].count("approved") == 1
    eventually(lambda: receiver.requests)
    time.sleep(1.0)  # the outbox polls every 0.2 s: a second event would have been delivered by now
    assert len([r for r in receiver.requests if invoice["number"].encode() in r["body"]]) == 1


def test_invalid_invoice_transition_is_409(manager):
    invoice = manager.post("/api/v1/invoices", json=invoice_body(new_vendor(manager)["id"])).json()

    response = manager.post(f"/api/v1/invoices/{invoice['id']}/transitions", json={"to": "paid"})

    assert response.status_code == 409 and response.json()["allowed"] == ["submitted"]


def test_vendor_user_submits_its_own_invoice(manager, users):
    vendor = new_vendor(manager)
    vendor_user = users.create("vendor", vendor_id=vendor["id"])

    invoice = vendor_user.post("/api/v1/invoices", json=invoice_body(vendor["id"])).json()
    submitted = vendor_user.post(f"/api/v1/invoices/{invoice['id']}/transitions", json={"to": "submitted"})

    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"


def test_vendor_user_cannot_approve_its_own_invoice(manager, users):
    vendor = new_vendor(manager)
    vendor_user = users.create("vendor", vendor_id=vendor["id"])
    invoice = vendor_user.post("/api/v1/invoices", json=invoice_body(vendor["id"])).json()
    vendor_user.post(f"/api/v1/invoices/{invoice['id']}/transitions", json={"to": "submitted"})

    response = vendor_user.post(f"/api/v1/invoices/{invoice['id']}/transitions", json={"to": "approved"})

    assert response.status_code == 403


def test_vendor_user_cannot_invoice_for_another_vendor(manager, users):
    own, other = new_vendor(manager), new_vendor(manager)
    vendor_user = users.create("vendor", vendor_id=own["id"])

    response = vendor_user.post("/api/v1/invoices", json=invoice_body(other["id"]))

    assert response.status_code == 404


def test_vendor_user_does_not_see_another_vendors_invoice(manager, users):
    own, other = new_vendor(manager), new_vendor(manager)
    theirs = manager.post("/api/v1/invoices", json=invoice_body(other["id"])).json()
    vendor_user = users.create("vendor", vendor_id=own["id"])

    assert vendor_user.get(f"/api/v1/invoices/{theirs['id']}").status_code == 404
    assert vendor_user.get(f"/api/v1/invoices/{theirs['id']}/reconciliation").status_code == 404
    assert vendor_user.get("/api/v1/invoices").json()["items"] == []


def test_invoice_in_another_currency_than_the_contract_is_422(manager):
    vendor = new_vendor(manager)
    active_contract_with_rates(manager, vendor["id"], RATES)

    response = manager.post("/api/v1/invoices", json=invoice_body(vendor["id"], currency="EUR"))

    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/currency"


def test_invoice_events_reach_subscribers(manager):
    receiver = subscribed(manager, "invoice.submitted")
    invoice = manager.post("/api/v1/invoices", json=invoice_body(new_vendor(manager)["id"])).json()

    manager.post(f"/api/v1/invoices/{invoice['id']}/transitions", json={"to": "submitted"})

    assert any(invoice["number"].encode() in r["body"] for r in eventually(lambda: receiver.requests))


# --- budgets -------------------------------------------------------------------------------------


def budget(manager, **overrides) -> dict:
    body = {"amount": "1000.00", "currency": "USD", "period_start": days(-9), "period_end": days(0),
            **overrides}  # fmt: skip
    response = manager.post("/api/v1/budgets", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def alerts_for(receiver: Receiver, budget_id: int) -> list:
    return [r for r in receiver.requests if f'"budget_id":{budget_id}'.encode() in r["body"]]


def test_spend_is_accepted_units_times_contracted_rates(manager, admin, users):
    vendor = contracted_vendor(manager)
    staff = vendor_staff(admin, users, vendor["id"])
    project, queues = vendor_project(admin, vendor["id"], task_type="ner", language="en", tasks=4)
    work(staff, queues["labeling"], answers=["cat"] * 4)
    _, other = vendor_project(admin, vendor["id"], task_type="ner", language="en", tasks=1)
    work(staff, other["labeling"], answers=["cat"])
    row = budget(manager, project_id=project["id"], vendor_id=vendor["id"], amount="10.00")

    spend = manager.get(f"/api/v1/budgets/{row['id']}/spend").json()

    # 10 days ending today: the period is complete, forecast = spend. 3 × 0.50 + 1 × 0.40 = 1.90
    # (the other project's unit is not counted).
    assert spend["spend"] == "1.90" and spend["remaining"] == "8.10"
    assert spend["burn_rate_per_day"] == "0.19" and spend["forecast_at_completion"] == "1.90"


def test_forecast_over_budget_emits_one_budget_alert(manager, admin, users):
    receiver = subscribed(manager, "budget.alert")
    vendor = contracted_vendor(manager)
    project, queues = vendor_project(admin, vendor["id"], task_type="bbox", language="fr", tasks=10)
    work(
        vendor_staff(admin, users, vendor["id"], languages=("fr",)),
        queues["labeling"],
        answers=["cat", "cat"],
    )
    row = budget(manager, project_id=project["id"], vendor_id=vendor["id"], amount="5.00",
                 period_start=days(-1), period_end=days(8))  # fmt: skip

    first = manager.post(f"/api/v1/budgets/{row['id']}/evaluations").json()
    manager.post(f"/api/v1/budgets/{row['id']}/evaluations")

    # 2 × 1.25 = 2.50 measured; 8 tasks left at 1.25: 12.50 at completion, over 5.00 but under the cap.
    assert (first["spend"], first["cost_per_unit"], first["units_to_complete"]) == (
        "2.50",
        "1.250000",
        "8.00",
    )
    assert first["forecast_at_completion"] == "12.50" and first["forecast_basis"] == "measured"
    assert (
        first["forecast_exceeds_budget"] is True
        and first["alerted"] is True
        and first["cap_reached"] is False
    )
    assert len(eventually(lambda: alerts_for(receiver, row["id"]))) == 1


def test_concurrent_evaluations_of_one_budget_alert_once(manager, admin, users):
    receiver = subscribed(manager, "budget.alert")
    vendor = contracted_vendor(manager)
    project, queues = vendor_project(admin, vendor["id"], task_type="bbox", language="fr", tasks=10)
    work(vendor_staff(admin, users, vendor["id"], languages=("fr",)), queues["labeling"], answers=["cat"])
    row = budget(manager, project_id=project["id"], vendor_id=vendor["id"], amount="5.00",
                 period_start=days(-1), period_end=days(8))  # fmt: skip

    # Six managers' evaluations and the 0.5 s sweep all find the forecast over the budget.
    with ThreadPoolExecutor(max_workers=6) as pool:
        url = f"/api/v1/budgets/{row['id']}/evaluations"
        reports = list(pool.map(lambda _: manager.post(url).json(), range(6)))

    assert all(report["alerted"] is True for report in reports)
    eventually(lambda: alerts_for(receiver, row["id"]))
    time.sleep(1.0)  # the outbox polls every 0.2 s: a second alert would have been delivered by now
    assert len(alerts_for(receiver, row["id"])) == 1


def test_forecast_counts_every_overlap_unit_and_answers_awaiting_review(manager, admin, users):
    vendor = contracted_vendor(manager)
    project, queues = vendor_project(admin, vendor["id"], task_type="bbox", language="fr", tasks=3,
                                     overlap=2, review_ratio=1.0)  # fmt: skip
    row = budget(manager, project_id=project["id"], vendor_id=vendor["id"], amount="5.00",
                 period_start=days(-1), period_end=days(8))  # fmt: skip

    before = manager.get(f"/api/v1/budgets/{row['id']}/spend").json()
    work(vendor_staff(admin, users, vendor["id"], languages=("fr",)), queues["labeling"], answers=["cat"] * 3)
    in_review = manager.get(f"/api/v1/budgets/{row['id']}/spend").json()

    # Nothing accepted yet: 3 tasks × overlap 2 at the contracted 1.25, whether or not answered.
    for spend in (before, in_review):
        assert (spend["spend"], spend["forecast_basis"], spend["units_to_complete"]) == (
            "0.00",
            "contracted",
            "6.00",
        )
        assert spend["forecast_at_completion"] == "7.50" and spend["forecast_exceeds_budget"] is True


def test_budgets_in_force_are_evaluated_without_being_asked(manager, admin, users):
    receiver = subscribed(manager, "budget.alert")
    vendor = contracted_vendor(manager)
    project, queues = vendor_project(admin, vendor["id"], task_type="bbox", language="fr", tasks=1)
    row = budget(manager, project_id=project["id"], vendor_id=vendor["id"], amount="1.00",
                 period_start=str(MONTH_START), period_end=days(30))  # fmt: skip

    work(vendor_staff(admin, users, vendor["id"], languages=("fr",)), queues["labeling"], answers=["cat"])

    assert eventually(lambda: alerts_for(receiver, row["id"]))
    assert manager.get(f"/api/v1/budgets/{row['id']}").json()["alert_sent_at"] is not None


def test_hard_cap_suspends_the_vendor_and_raising_the_budget_restores_it(manager, admin, users):
    vendor = contracted_vendor(manager)
    staff = vendor_staff(admin, users, vendor["id"], languages=("fr",))
    project, queues = vendor_project(admin, vendor["id"], task_type="bbox", language="fr", tasks=4)
    work(staff, queues["labeling"], answers=["cat", "cat"])
    row = budget(manager, project_id=project["id"], vendor_id=vendor["id"], amount="2.00", hard_cap=True)

    evaluated = manager.post(f"/api/v1/budgets/{row['id']}/evaluations").json()
    while_suspended = staff.post(f"/api/v1/queues/{queues['labeling']}/next")
    etag = manager.get(f"/api/v1/budgets/{row['id']}").headers["ETag"]
    raised = manager.patch(
        f"/api/v1/budgets/{row['id']}", json={"amount": "500.00"}, headers={"If-Match": etag}
    )
    # The raised cap reaches assignment as an event (budget.cap_changed): work resumes within its delivery.
    after = eventually(
        lambda: (r := staff.post(f"/api/v1/queues/{queues['labeling']}/next")).status_code == 200 and r
    )

    # 2 × 1.25 = 2.50 ≥ 2.00: the tasks service suspends the vendor's grants on the project.
    assert evaluated["cap_reached"] is True and evaluated["suspended_vendor_ids"] == [vendor["id"]]
    assert while_suspended.status_code == 403, while_suspended.text
    assert raised.status_code == 200 and raised.json()["suspended_vendor_ids"] == []
    assert after.status_code == 200, after.text


def test_budget_with_end_before_start_is_422(manager):
    response = manager.post(
        "/api/v1/budgets",
        json={
            "project_id": 1,
            "amount": "10",
            "currency": "USD",
            "period_start": "2026-02-01",
            "period_end": "2026-01-01",
        },
    )

    assert response.status_code == 422


def test_a_budget_for_a_project_that_does_not_exist_is_422_naming_the_field(manager):
    response = manager.post(
        "/api/v1/budgets",
        json={"project_id": 987_654_321, "amount": "10.00", "currency": "USD", "period_start": days(0),
              "period_end": days(9)},
    )  # fmt: skip

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "project_id"


def test_vendor_user_cannot_read_budgets(manager, admin, users):
    vendor = new_vendor(manager)
    project, _ = vendor_project(admin, vendor["id"], task_type="bbox", language="fr", tasks=1)
    row = budget(manager, project_id=project["id"], vendor_id=vendor["id"])

    assert (
        users.create("vendor", vendor_id=vendor["id"]).get(f"/api/v1/budgets/{row['id']}").status_code == 403
    )


# --- benchmarks and negotiation ------------------------------------------------------------------


def region() -> str:
    return f"region-{uuid.uuid4().hex[:8]}"


def test_negotiation_lines_are_compared_with_the_benchmark_median(manager):
    where = region()
    manager.post("/api/v1/benchmarks", json={"task_type": "ner", "language": "en", "region": where, "unit": "task",
                                             "currency": "USD", "p25": "0.40", "median": "0.50", "p75": "0.60"})  # fmt: skip
    contract = new_contract(manager, new_vendor(manager)["id"])

    round_ = manager.post("/api/v1/negotiations", json={"contract_id": contract["id"], "proposed_by": "vendor",
                          "region": where, "note": "opening offer",
                          "lines": [{"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.55"},
                                    {"task_type": "ocr", "language": "en", "unit": "item", "unit_price": "0.10"}]}).json()  # fmt: skip

    compared, unknown = round_["lines"]
    assert (
        compared["benchmark"]["percent_vs_median"] == "10.0" and compared["benchmark"]["band"] == "median_p75"
    )
    assert unknown["benchmark"] is None


def test_accepting_a_round_writes_the_rate_card(manager):
    contract = new_contract(manager, new_vendor(manager)["id"])
    lines = [{"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.45"}]
    round_ = manager.post("/api/v1/negotiations", json={"contract_id": contract["id"], "proposed_by": "client",
                                                        "region": region(), "lines": lines}).json()  # fmt: skip

    accepted = manager.post(f"/api/v1/negotiations/{round_['id']}/accept")

    card = manager.get(f"/api/v1/rate-cards/{contract['id']}").json()
    assert accepted.json()["status"] == "accepted"
    assert [(line["task_type"], line["unit_price"]) for line in card["lines"]] == [("ner", "0.45")]


def test_a_decided_round_cannot_be_decided_again(manager):
    contract = new_contract(manager, new_vendor(manager)["id"])
    lines = [{"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.45"}]
    round_ = manager.post("/api/v1/negotiations", json={"contract_id": contract["id"], "proposed_by": "client",
                                                        "region": region(), "lines": lines}).json()  # fmt: skip
    manager.post(f"/api/v1/negotiations/{round_['id']}/reject")

    assert manager.post(f"/api/v1/negotiations/{round_['id']}/accept").status_code == 409


def test_concurrent_decisions_on_one_round_decide_it_once(manager):
    contract = new_contract(manager, new_vendor(manager)["id"])
    lines = [{"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.45"}]
    round_ = manager.post("/api/v1/negotiations", json={"contract_id": contract["id"], "proposed_by": "client",
                                                        "region": region(), "lines": lines}).json()  # fmt: skip

    def decide(verb: str):
        return verb, manager.post(f"/api/v1/negotiations/{round_['id']}/{verb}")

    with ThreadPoolExecutor(max_workers=6) as pool:
        decisions = list(pool.map(decide, ["accept", "reject"] * 3))

    # Each decision waits for the one before it and then finds the round decided: one wins, five 409.
    assert sorted(r.status_code for _, r in decisions) == [200] + [409] * 5
    [(verb, won)] = [(verb, r.json()) for verb, r in decisions if r.status_code == 200]
    card = manager.get(f"/api/v1/rate-cards/{contract['id']}").json()
    assert manager.get(f"/api/v1/negotiations/{round_['id']}").json()["status"] == won["status"]
    assert len(card["lines"]) == (1 if verb == "accept" else 0)


def test_benchmarks_import_from_csv_and_update_existing_rows(manager):
    where = region()
    csv_text = (
        "task_type,language,region,unit,currency,p25,median,p75,source\n"
        f"ner,en,{where},task,USD,0.30,0.40,0.50,survey 2026\n"
        f"bbox,fr,{where},task,EUR,1.00,1.20,1.50,survey 2026\n"
    )
    first = manager.post("/api/v1/benchmarks/import", content=csv_text, headers={"content-type": "text/csv"})

    second = manager.post("/api/v1/benchmarks/import", content=csv_text, headers={"content-type": "text/csv"})

    listed = manager.get("/api/v1/benchmarks", params={"region": where}).json()["items"]
    assert first.json() == {"created": 2, "updated": 0} and second.json() == {"created": 0, "updated": 2}
    assert sorted(b["median"] for b in listed) == ["0.40", "1.20"]


def test_csv_row_with_quartiles_out_of_order_is_422_naming_the_line(manager):
    csv_text = "task_type,language,region,unit,currency,p25,median,p75\nner,en,x,task,USD,0.9,0.5,0.6\n"

    response = manager.post(
        "/api/v1/benchmarks/import", content=csv_text, headers={"content-type": "text/csv"}
    )

    assert response.status_code == 422 and "line 2" in response.json()["detail"]


# --- scorecards ----------------------------------------------------------------------------------


def scorecard(manager, vendor_id: int):
    return manager.post("/api/v1/scorecards", json={"vendor_id": vendor_id, "period_start": str(MONTH_START),
                                                    "period_end": str(MONTH_END)})  # fmt: skip


def test_scorecard_measures_sla_attainment_credits_and_cost_per_accepted_label(manager, admin, users):
    vendor = new_vendor(manager)
    contract = new_contract(
        manager, vendor["id"], **CONTRACT_DATES,
        sla_terms={"min_quality": "0.80", "max_turnaround_hours": "0.5"},
        credit_rules=[{"term": "quality", "percent_per_point": "1.5", "cap_percent": "10"}],
    )  # fmt: skip
    for to in ("negotiating", "active"):
        manager.post(f"/api/v1/contracts/{contract['id']}/transitions", json={"to": to})
    rows = [{"data": {"n": i}, "gold_answer": "cat"} for i in range(4)] + [{"data": {"n": 4}}]
    _, queues = vendor_project(
        admin, vendor["id"], task_type="ner", language="en", rows=rows, gold_ratio=1.0, review_ratio=1.0
    )
    # 3 of the 4 gold answers right, 900 s each; the reviewer rejects the plain task's answer.
    staff = vendor_staff(admin, users, vendor["id"])
    answers = work(
        staff, queues["labeling"], by_task={0: "cat", 1: "cat", 2: "cat", 3: "dog", 4: "cat"}, seconds=900
    )
    checker = reviewer(admin, users, queues["review"])
    for submission in answers:
        decide(checker, submission, "reject" if submission["data"]["n"] == 4 else "accept")
    invoice = manager.post("/api/v1/invoices", json=invoice_body(
        vendor["id"], lines=[claim("ner", "en", "4", "1.00")])).json()  # fmt: skip
    for to in ("submitted", "approved"):
        manager.post(f"/api/v1/invoices/{invoice['id']}/transitions", json={"to": to})

    card = scorecard(manager, vendor["id"]).json()["result"]

    quality, turnaround = card["terms"]
    assert (quality["measured"], quality["met"], quality["shortfall_points"], quality["credit_percent"]) == (
        "0.7500", False, "5.0000", "7.5000")  # fmt: skip
    # Turnaround is the delivery time (import → the vendor's answer: seconds here), not the 900 s the
    # labeler reported spending on each answer.
    _, places = turnaround["measured"].split(".")
    assert float(turnaround["measured"]) < 0.05 and len(places) == 4  # quantised
    assert (turnaround["met"], turnaround["attainment"]) == (True, "1.0000")
    assert (card["accepted_units"], card["rejected_units"]) == (4, 1)
    assert card["credit_amount"] == "0.30"  # 7.5 % of 4.00
    # The invoiced cost per accepted label is named apart from the contracted one (no rate card here).
    invoiced, contracted = (
        card["cost_per_accepted_label_invoiced"],
        card["cost_per_accepted_label_contracted"],
    )
    assert (invoiced, contracted) == ("1.0000", None)
    # The rejected label cost money too: 4.00 over 4 accepted, over 5 submitted, 1/5 of it wasted.
    cost = card["invoiced_label_cost"]
    assert (cost["cost_per_accepted"], cost["cost_per_submitted"], cost["rejection_cost"]) == (
        "1.0000", "0.8000", "0.8000")  # fmt: skip


def test_publishing_a_scorecard_notifies_subscribers(manager, admin, users):
    receiver = subscribed(manager, "scorecard.published")
    vendor = contracted_vendor(manager)
    _, queues = vendor_project(admin, vendor["id"], task_type="ner", language="en", tasks=1)
    work(vendor_staff(admin, users, vendor["id"]), queues["labeling"], answers=["cat"])
    card = scorecard(manager, vendor["id"]).json()

    published = manager.post(f"/api/v1/scorecards/{card['id']}/publish")

    assert card["result"]["accepted_units"] == 1 and published.json()["status"] == "published"
    assert eventually(lambda: [r for r in receiver.requests if b"scorecard.published" in r["body"]])


def test_scorecard_without_an_active_contract_is_404(manager):
    vendor = new_vendor(manager)

    response = manager.post("/api/v1/scorecards", json={"vendor_id": vendor["id"], "period_start": "2026-06-01",
                                                        "period_end": "2026-06-30"})  # fmt: skip

    assert response.status_code == 404


def test_a_vendor_without_production_scores_nothing_rather_than_zero(manager):
    vendor = contracted_vendor(manager)

    card = scorecard(manager, vendor["id"]).json()["result"]

    assert (card["accepted_units"], card["rejected_units"], card["measured"]["quality"]) == (0, 0, None)


def test_scorecard_is_503_when_the_tasks_service_is_down(manager, cluster):
    vendor = contracted_vendor(manager)
    cluster.stop("tasks")
    try:
        response = scorecard(manager, vendor["id"])
    finally:
        cluster.restart("tasks")

    assert response.status_code == 503 and response.headers["content-type"] == PROBLEM


def test_vendor_user_sees_only_its_own_scorecards(manager, users):
    own, other = new_vendor(manager), new_vendor(manager)
    for vendor in (own, other):
        active_contract_with_rates(manager, vendor["id"], RATES, **CONTRACT_DATES)
    theirs = scorecard(manager, other["id"]).json()
    vendor_user = users.create("vendor", vendor_id=own["id"])

    assert vendor_user.get(f"/api/v1/scorecards/{theirs['id']}").status_code == 404
    assert vendor_user.get("/api/v1/scorecards").json()["items"] == []


# --- the contract with the real tasks service ----------------------------------------------------


def test_the_tasks_service_accepts_the_production_query_the_vendors_service_sends(cluster):
    # The period parameters ([since, until) with a UTC offset) as the vendors service sends them, and the
    # answer's shape; on PostgreSQL this once failed (the tasks query grouped by a json column).
    import httpx

    from services.vendors.service.production import period_params
    from shared.auth import issue_internal_token, service_principal

    token = issue_internal_token(service_principal("vendors"), secret=cluster.internal_secret, ttl_seconds=60)

    response = httpx.get(
        cluster.services["tasks"].url + "/api/v1/production",
        params={"vendor_id": 1, **period_params(date(2026, 3, 1), date(2026, 3, 31))},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200, response.text
    assert isinstance(response.json()["items"], list)
