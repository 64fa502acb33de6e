"""Wellness through the gateway: exposure from tasks' events, caps, breaks, opt-out, check-ins, vendor policies."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.services.contributors.support import new_contributor, outbox, send_event, submission

ZONES = (
    "Pacific/Kiritimati", "Pacific/Auckland", "Asia/Tokyo", "Asia/Manila", "Asia/Kolkata", "Asia/Dubai",
    "Europe/Moscow", "Europe/Paris", "Atlantic/Azores", "America/Noronha", "America/Sao_Paulo",
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Pacific/Honolulu",
)  # fmt: skip


def afternoon_zone() -> str:
    """A zone where it is now between 13:00 and 21:00, so the last few hours all fall on the local today."""
    now = datetime.now(UTC)
    return next(z for z in ZONES if 13 <= now.astimezone(ZoneInfo(z)).hour < 21)


def _wellness(client, contributor_id: int, **params) -> dict:
    response = client.get(f"/api/v1/contributors/{contributor_id}/wellness", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_exposure_is_summed_per_severity_over_the_contributors_own_day(ops, cluster):
    zone = afternoon_zone()
    created = new_contributor(ops, timezone=zone)
    now = datetime.now(UTC)
    local_midnight = now.astimezone(ZoneInfo(zone)).replace(hour=0, minute=0, second=0, microsecond=0)
    submission(cluster, created["id"], severity="low", seconds=1800, at=now - timedelta(hours=3))
    submission(cluster, created["id"], severity="medium", seconds=1200, at=now - timedelta(hours=2))
    submission(cluster, created["id"], severity="high", seconds=600, at=now - timedelta(hours=1))
    submission(cluster, created["id"], severity="none", seconds=300, at=now - timedelta(minutes=30))
    submission(
        cluster, created["id"], severity="high", seconds=900, at=local_midnight - timedelta(minutes=30)
    )

    wellness = _wellness(ops, created["id"], days=3)

    assert wellness["timezone"] == zone
    assert wellness["local_date"] == now.astimezone(ZoneInfo(zone)).date().isoformat()
    assert wellness["today_minutes"] == {"none": 5.0, "low": 30.0, "medium": 20.0, "high": 10.0}
    # Each cap also counts the more severe minutes: high 120-10, medium 240-30, low 480-60.
    assert wellness["remaining_minutes"] == {"low": 420, "medium": 210, "high": 110}
    assert [d["minutes"]["high"] for d in wellness["days"]] == [10.0, 15.0, 0.0]
    assert wellness["policy"]["source"] == "global"
    assert wellness["policy"]["daily_caps_minutes"] == {"low": 480, "medium": 240, "high": 120}


def test_a_break_is_due_after_an_hour_of_continuous_harmful_content(ops, cluster):
    created = new_contributor(ops, timezone=afternoon_zone())
    ended = datetime.now(UTC) - timedelta(minutes=2)
    submission(cluster, created["id"], severity="medium", seconds=2400, at=ended - timedelta(minutes=21))
    submission(cluster, created["id"], severity="high", seconds=1200, at=ended)

    wellness = _wellness(ops, created["id"])

    assert wellness["break_required"] is True
    assert wellness["continuous_exposure_minutes"] == pytest.approx(60.0, abs=0.1)
    assert abs(
        datetime.fromisoformat(wellness["break_ends_at"]) - (ended + timedelta(minutes=15))
    ) < timedelta(seconds=1)


def test_concurrent_submissions_that_start_one_break_announce_it_once(ops, cluster, databases):
    created = new_contributor(ops, timezone=afternoon_zone())
    ended = datetime.now(UTC) - timedelta(minutes=2)
    submission(cluster, created["id"], severity="high", seconds=55 * 60, at=ended - timedelta(minutes=6))

    # Six deliveries at once (as from several tasks replicas), each the 6 minutes that pass the 60-minute
    # limit: whichever comes first starts the break, the others find it started.
    def deliver(_: int) -> int:
        return submission(cluster, created["id"], severity="high", seconds=360, at=ended).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(deliver, range(6))) == [200] * 6

    assert _wellness(ops, created["id"])["break_required"] is True
    started = outbox(databases, created["id"], "wellness.break_started", destination="vendors")
    assert [e["payload"]["contributor_id"] for e in started] == [created["id"]]


def test_a_rest_of_the_break_length_resets_continuous_exposure(ops, cluster):
    created = new_contributor(ops, timezone=afternoon_zone())
    now = datetime.now(UTC)
    submission(cluster, created["id"], severity="high", seconds=3000, at=now - timedelta(minutes=40))
    submission(cluster, created["id"], severity="high", seconds=1200, at=now - timedelta(minutes=1))

    wellness = _wellness(ops, created["id"])

    assert wellness["break_required"] is False
    assert wellness["continuous_exposure_minutes"] == pytest.approx(20.0, abs=0.1)


def test_opting_out_of_harmful_content_leaves_no_medium_or_high_allowance_and_is_published(
    ops, users, databases
):
    created = new_contributor(ops)
    me = users.create("contributor", contributor_id=created["id"])

    response = me.put(
        f"/api/v1/contributors/{created['id']}/wellness/opt-out", json={"opted_out_harmful": True}
    )
    wellness = _wellness(me, created["id"])

    assert response.status_code == 200 and response.json()["opted_out_harmful"] is True
    assert wellness["remaining_minutes"] == {"low": 480, "medium": 0, "high": 0}
    assert outbox(databases, created["id"], "contributor.upserted")[-1]["payload"]["wellness"][
        "opted_out_harmful"
    ]


@pytest.mark.parametrize(
    "body", [{}, {"opted_out_harmful": "sometimes"}, {"opted_out_harmful": True, "x": 1}]
)
def test_bad_opt_out_bodies_are_422(ops, body):
    created = new_contributor(ops)

    assert ops.put(f"/api/v1/contributors/{created['id']}/wellness/opt-out", json=body).status_code == 422


def test_days_are_bounded(ops):
    created = new_contributor(ops)

    assert ops.get(f"/api/v1/contributors/{created['id']}/wellness", params={"days": 0}).status_code == 422
    assert ops.get(f"/api/v1/contributors/{created['id']}/wellness", params={"days": 91}).status_code == 422


def test_check_ins_are_recorded_and_listed_newest_first(ops, users):
    created = new_contributor(ops)
    me = users.create("contributor", contributor_id=created["id"])
    url = f"/api/v1/contributors/{created['id']}/wellness/check-ins"

    me.post(url, json={"mood": 4, "stress": 2})
    second = me.post(
        url, json={"mood": 2, "stress": 4, "note": "hard week of violent content", "wants_support": True}
    )
    listed = ops.get(url).json()["items"]
    wellness = _wellness(me, created["id"])

    assert second.status_code == 201
    assert [c["mood"] for c in listed] == [2, 4]
    assert wellness["last_check_in"]["wants_support"] is True


@pytest.mark.parametrize(
    "body",
    [{"mood": 0, "stress": 3}, {"mood": 3, "stress": 6}, {"mood": 3}, {"mood": 3, "stress": 3, "note": ""}],
)
def test_bad_check_ins_are_422(ops, body):
    created = new_contributor(ops)

    assert ops.post(f"/api/v1/contributors/{created['id']}/wellness/check-ins", json=body).status_code == 422


def test_events_for_unknown_contributors_are_acknowledged_and_ignored(cluster):
    response = submission(cluster, 987654321, severity="low", seconds=60, at=datetime.now(UTC))

    assert response.json()["status"] == "processed"


def test_a_submission_without_an_offset_is_refused(cluster):
    response = send_event(
        cluster,
        "submission.recorded",
        {
            "contributor_id": 1,
            "project_id": 1,
            "severity": "low",
            "seconds": 60,
            "submitted_at": "2026-01-01T10:00:00",
        },
    )

    assert response.status_code == 422


@pytest.fixture
def vendor_id() -> int:
    return random.randint(100_000, 2_000_000_000)


def test_a_vendor_policy_overrides_the_global_caps_and_republishes_its_contributors(
    ops, databases, vendor_id
):
    people = [new_contributor(ops, vendor_id=vendor_id) for _ in range(2)]
    outsider = new_contributor(ops)
    before = outbox(databases, outsider["id"], "contributor.upserted")

    response = ops.put(
        f"/api/v1/wellness/vendor-policies/{vendor_id}",
        json={"daily_caps_minutes": {"high": 60}, "break_minutes": 20},
    )
    wellness = _wellness(ops, people[0]["id"])

    policy = response.json()
    assert response.status_code == 201
    assert policy["effective"]["daily_caps_minutes"] == {"low": 480, "medium": 240, "high": 60}
    assert (policy["effective"]["break_minutes"], policy["republished_contributors"]) == (20, 2)
    assert wellness["policy"]["source"] == "vendor" and wellness["remaining_minutes"]["high"] == 60
    for person in people:
        last = outbox(databases, person["id"], "contributor.upserted")[-1]["payload"]
        assert last["wellness"]["daily_caps_minutes"]["high"] == 60 and last["version"] == 2
    assert [e["event_id"] for e in outbox(databases, outsider["id"], "contributor.upserted")] == [
        e["event_id"] for e in before
    ]


def test_a_policy_change_that_keeps_the_caps_republishes_nobody(ops, vendor_id):
    new_contributor(ops, vendor_id=vendor_id)
    url = f"/api/v1/wellness/vendor-policies/{vendor_id}"
    ops.put(url, json={"daily_caps_minutes": {"medium": 200}})

    again = ops.put(url, json={"daily_caps_minutes": {"medium": 200}, "continuous_limit_minutes": 45})

    assert again.status_code == 200 and again.json()["republished_contributors"] == 0
    assert again.json()["version"] == 2


def test_removing_a_vendor_policy_restores_the_global_caps(ops, databases, vendor_id):
    person = new_contributor(ops, vendor_id=vendor_id)
    url = f"/api/v1/wellness/vendor-policies/{vendor_id}"
    ops.put(url, json={"daily_caps_minutes": {"low": 300}})

    removed = ops.delete(url)

    assert removed.status_code == 204
    assert ops.get(url).status_code == 404
    assert outbox(databases, person["id"], "contributor.upserted")[-1]["payload"]["wellness"][
        "daily_caps_minutes"
    ] == {
        "low": 480,
        "medium": 240,
        "high": 120,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"daily_caps_minutes": {"high": -1}},
        {"daily_caps_minutes": {"extreme": 10}},
        {"break_minutes": 0},
        {"continuous_limit_minutes": 2000},
    ],
)
def test_bad_vendor_policies_are_422(ops, body, vendor_id):
    assert ops.put(f"/api/v1/wellness/vendor-policies/{vendor_id}", json=body).status_code == 422


def test_only_ops_and_admins_set_policies_and_a_vendor_reads_only_its_own(ops, users, vendor_id):
    ops.put(f"/api/v1/wellness/vendor-policies/{vendor_id}", json={"daily_caps_minutes": {"high": 90}})
    own_vendor = users.create("vendor", vendor_id=vendor_id)
    other_vendor = users.create("vendor", vendor_id=vendor_id + 1)
    support = users.create("support")

    assert own_vendor.get(f"/api/v1/wellness/vendor-policies/{vendor_id}").status_code == 200
    assert other_vendor.get(f"/api/v1/wellness/vendor-policies/{vendor_id}").status_code == 404
    assert support.put(f"/api/v1/wellness/vendor-policies/{vendor_id}", json={}).status_code == 403
    assert own_vendor.put(f"/api/v1/wellness/vendor-policies/{vendor_id}", json={}).status_code == 403


def test_the_global_policy_is_readable(ops):
    policy = ops.get("/api/v1/wellness/policy").json()

    assert policy == {
        "daily_caps_minutes": {"low": 480, "medium": 240, "high": 120},
        "continuous_limit_minutes": 60,
        "break_minutes": 15,
        "source": "global",
        "vendor_id": None,
    }


def test_check_ins_stay_between_the_contributor_and_support(ops, users):
    created = new_contributor(ops, vendor_id=4321)
    me = users.create("contributor", contributor_id=created["id"])
    me.post(f"/api/v1/contributors/{created['id']}/wellness/check-ins", json={"mood": 1, "stress": 5})
    vendor = users.create("vendor", vendor_id=4321)

    assert vendor.get(f"/api/v1/contributors/{created['id']}/wellness/check-ins").status_code == 403
    assert _wellness(vendor, created["id"])["last_check_in"] is None
    assert _wellness(ops, created["id"])["last_check_in"]["mood"] == 1
