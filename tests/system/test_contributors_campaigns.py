"""Recruitment campaigns with their funnel, and announcements with each contributor's feed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.services.contributors.support import activate, move, new_contributor, submission
from tests.support.api import unique_email


def campaign(client, **overrides) -> dict:
    body = {
        "name": f"campaign {unique_email('c')}",
        "channel": "social",
        "target_languages": ["tl", "ceb"],
        "target_countries": ["PH"],
        "budget": "900.00",
        "currency": "USD",
        "starts_on": "2026-11-01",
        "ends_on": "2026-12-31",
        **overrides,
    }
    response = client.post("/api/v1/campaigns", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_campaign_keeps_money_exact_and_codes_canonical(ops):
    created = campaign(ops, budget="1234.56", target_languages=["PT-br"], target_countries=["br"])

    assert created["budget"] == "1234.56" and created["currency"] == "USD"
    assert (created["target_languages"], created["target_countries"]) == (["pt-BR"], ["BR"])


@pytest.mark.parametrize(
    "overrides",
    [
        {"budget": "100.00", "currency": None},
        {"budget": "12.345"},
        {"budget": "-1.00"},
        {"currency": "usd"},
        {"ends_on": "2026-10-01"},
        {"channel": "telepathy"},
        {"target_countries": ["PH", "PH"]},
        {"target_languages": ["tl_PH"]},
        {"starts_on": "November"},
    ],
)
def test_bad_campaigns_are_422(ops, overrides):
    body = {
        "name": unique_email("bad"),
        "channel": "social",
        "starts_on": "2026-11-01",
        "budget": "1.00",
        "currency": "USD",
    }

    assert ops.post("/api/v1/campaigns", json={**body, **overrides}).status_code == 422


def test_campaign_names_are_unique(ops):
    created = campaign(ops)

    assert (
        ops.post(
            "/api/v1/campaigns", json={"name": created["name"], "channel": "ads", "starts_on": "2026-01-01"}
        ).status_code
        == 409
    )


def test_a_campaign_update_needs_if_match_and_keeps_its_rules(ops):
    created = campaign(ops)
    url = f"/api/v1/campaigns/{created['id']}"
    etag = ops.get(url).headers["etag"]

    dates = ops.patch(url, json={"ends_on": "2026-01-01"}, headers={"If-Match": etag})
    budget = ops.patch(url, json={"budget": "1500.00"}, headers={"If-Match": etag})
    stale = ops.patch(url, json={"budget": "1.00"}, headers={"If-Match": etag})

    assert dates.status_code == 422
    assert (
        budget.status_code == 200 and budget.json()["budget"] == "1500.00" and budget.json()["version"] == 2
    )
    assert stale.status_code == 412


def test_concurrent_updates_of_one_campaign_with_one_etag_apply_one(ops):
    created = campaign(ops)
    url = f"/api/v1/campaigns/{created['id']}"
    etag = ops.get(url).headers["etag"]
    budgets = [f"{1000 + n}.00" for n in range(6)]

    def update(budget: str):
        return ops.patch(url, json={"budget": budget}, headers={"If-Match": etag})

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(update, budgets))

    assert sorted(r.status_code for r in responses) == [200] + [412] * 5
    [applied] = [r.json() for r in responses if r.status_code == 200]
    stored = ops.get(url).json()
    assert applied["version"] == stored["version"] == 2 and stored["budget"] == applied["budget"]


def test_the_funnel_counts_applied_screened_activated_and_costs_per_active(ops):
    spend = campaign(ops, budget="900.00", channel="ads")
    people = [new_contributor(ops, campaign_id=spend["id"]) for _ in range(4)]
    activate(ops, people[0]["id"])
    activate(ops, people[1]["id"])
    move(ops, people[2]["id"], "screening")
    move(ops, people[2]["id"], "onboarding")
    move(ops, people[3]["id"], "rejected")

    funnel = ops.get(f"/api/v1/campaigns/{spend['id']}/funnel").json()

    total = funnel["total"]
    assert (total["applied"], total["screened"], total["activated"]) == (4, 3, 2)
    assert total["activation_rate"] == 0.5
    assert Decimal(total["cost_per_active"]) == Decimal("450.00")
    assert total["median_seconds_to_activate"] > 0
    assert [row["key"] for row in funnel["by_channel"]] == ["ads"]


def test_the_report_window_is_since_until_and_a_reversed_one_names_since(ops):
    now = datetime.now(UTC)

    report = ops.get("/api/v1/campaigns/funnel", params={"since": now.isoformat()})
    reversed_window = ops.get(
        "/api/v1/campaigns/funnel",
        params={"since": now.isoformat(), "until": (now - timedelta(days=1)).isoformat()},
    )
    old_names = ops.get("/api/v1/campaigns/funnel", params={"applied_from": now.isoformat()})

    assert report.status_code == 200 and report.json()["until"] is None
    assert datetime.fromisoformat(report.json()["since"]) == now
    assert [e["field"] for e in reversed_window.json()["errors"]] == ["since"]
    assert [e["field"] for e in old_names.json()["errors"]] == ["applied_from"]


def test_the_report_groups_by_campaign_or_by_channel(ops):
    since = datetime.now(UTC) - timedelta(seconds=1)
    a = campaign(ops, channel="university", budget="100.00")
    b = campaign(ops, channel="university", budget="300.00")
    for c in (a, b):
        activate(ops, new_contributor(ops, campaign_id=c["id"])["id"])
    new_contributor(ops, source_channel="university")

    by_campaign = ops.get("/api/v1/campaigns/funnel", params={"since": since.isoformat()}).json()["rows"]
    by_channel = ops.get(
        "/api/v1/campaigns/funnel", params={"group_by": "channel", "since": since.isoformat()}
    ).json()["rows"]

    rows = {r["key"]: r for r in by_campaign}
    assert (
        rows[str(a["id"])]["cost_per_active"] == "100.00" and rows[str(b["id"])]["campaign_name"] == b["name"]
    )
    university = next(r for r in by_channel if r["key"] == "university")
    assert (university["applied"], university["activated"]) == (3, 2)
    assert (
        university["budget"] is not None
        and Decimal(university["cost_per_active"]) == Decimal(university["budget"]) / 2
    )


def test_a_contributor_joins_only_an_existing_campaign(ops):
    response = ops.post(
        "/api/v1/contributors",
        json={
            "email": unique_email(),
            "full_name": "X",
            "country": "PH",
            "timezone": "Asia/Manila",
            "campaign_id": 987654,
        },
    )

    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/campaign_id"


def test_support_and_analysts_read_campaigns_but_vendors_do_not(users, ops):
    created = campaign(ops)

    assert users.create("analyst").get(f"/api/v1/campaigns/{created['id']}/funnel").status_code == 200
    assert users.create("analyst").post("/api/v1/campaigns", json={}).status_code == 403
    assert users.create("vendor", vendor_id=1).get("/api/v1/campaigns").status_code == 403


# --- announcements -----------------------------------------------------------------------------------


def announce(client, **overrides) -> dict:
    body = {"title": "Notice", "body": "Please read the new guidelines.", **overrides}
    response = client.post("/api/v1/announcements", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def feed_ids(client, contributor_id: int) -> list[int]:
    response = client.get(f"/api/v1/contributors/{contributor_id}/feed", params={"limit": 500})
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["items"]]


def test_the_feed_shows_what_reaches_the_contributor_newest_first(ops, cluster):
    vendor_id = 60606
    person = new_contributor(
        ops,
        country="BR",
        timezone="America/Sao_Paulo",
        languages=[{"code": "pt-BR", "proficiency": "native"}],
        vendor_id=vendor_id,
    )
    activate(ops, person["id"])
    submission(cluster, person["id"], severity="none", seconds=60, at=datetime.now(UTC), project_id=4242)
    everyone = announce(ops, title="To everyone")
    portuguese = announce(ops, audience={"languages": ["pt"]})
    brazilian_portuguese = announce(ops, audience={"languages": ["pt-BR"], "countries": ["BR"]})
    active_only = announce(ops, audience={"statuses": ["active"]})
    project = announce(ops, audience={"project_ids": [4242]})
    vendor = announce(ops, audience={"vendor_ids": [vendor_id]})
    other_language = announce(ops, audience={"languages": ["ja"]})
    other_country = announce(ops, audience={"languages": ["pt"], "countries": ["PT"]})
    other_project = announce(ops, audience={"project_ids": [1]})
    applicants = announce(ops, audience={"statuses": ["applied"]})

    ids = feed_ids(ops, person["id"])

    reaching = [vendor, project, active_only, brazilian_portuguese, portuguese, everyone]
    assert [i for i in ids if i >= everyone["id"]] == [a["id"] for a in reaching]
    for missing in (other_language, other_country, other_project, applicants):
        assert missing["id"] not in ids


def test_withdrawn_expired_and_future_announcements_are_not_in_feeds(ops, users):
    person = new_contributor(ops)
    me = users.create("contributor", contributor_id=person["id"])
    now = datetime.now(UTC)
    withdrawn = announce(ops, title="Oops")
    future = announce(ops, publish_at=(now + timedelta(days=1)).isoformat())
    expired = announce(
        ops,
        publish_at=(now - timedelta(days=2)).isoformat(),
        expires_at=(now - timedelta(days=1)).isoformat(),
    )
    live = announce(ops, title="Live")

    withdraw = ops.delete(f"/api/v1/announcements/{withdrawn['id']}")
    ids = feed_ids(me, person["id"])

    assert withdraw.status_code == 200 and withdraw.json()["withdrawn_at"] is not None
    assert live["id"] in ids
    assert not ({withdrawn["id"], future["id"], expired["id"]} & set(ids))


def test_concurrent_withdrawals_of_one_announcement_keep_the_first_time(ops):
    url = f"/api/v1/announcements/{announce(ops, title='Twice')['id']}"

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: ops.delete(url), range(6)))

    assert [a.status_code for a in answers] == [200] * 6
    # Each later one found it withdrawn: one withdrawal time, told to all, and still the stored one.
    assert {a.json()["withdrawn_at"] for a in answers} == {ops.get(url).json()["withdrawn_at"]}


def test_the_feed_pages_with_a_cursor(ops):
    person = new_contributor(ops)
    made = [announce(ops, title=f"page {i}", audience={"countries": ["PH"]})["id"] for i in range(3)]

    first = ops.get(f"/api/v1/contributors/{person['id']}/feed", params={"limit": 2}).json()
    second = ops.get(
        f"/api/v1/contributors/{person['id']}/feed", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()

    assert [a["id"] for a in first["items"]] == made[::-1][:2]
    assert second["items"][0]["id"] == made[0]


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "body": "x"},
        {"title": "t", "body": "x", "audience": {"languages": ["xx_YY"]}},
        {"title": "t", "body": "x", "audience": {"statuses": ["vip"]}},
        {"title": "t", "body": "x", "audience": {"planets": ["mars"]}},
        {
            "title": "t",
            "body": "x",
            "publish_at": "2030-01-02T00:00:00Z",
            "expires_at": "2030-01-01T00:00:00Z",
        },
        {"title": "t", "body": "x", "expires_at": "2020-01-01T00:00:00Z"},
    ],
)
def test_bad_announcements_are_422(ops, body):
    assert ops.post("/api/v1/announcements", json=body).status_code == 422


def test_a_contributor_reads_only_its_own_feed(ops, users):
    person, other = new_contributor(ops), new_contributor(ops)
    me = users.create("contributor", contributor_id=person["id"])

    assert me.get(f"/api/v1/contributors/{other['id']}/feed").status_code == 404
    assert me.get("/api/v1/announcements").status_code == 403
    assert me.post("/api/v1/announcements", json={"title": "t", "body": "b"}).status_code == 403
