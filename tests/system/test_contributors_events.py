"""Qualifications and the events the contributors service exchanges with tasks and vendors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.services.contributors.support import activate, move, new_contributor, outbox, send_event
from tests.support.sql import query
from tests.support.waiting import eventually

UPSERTED_KEYS = {
    "contributor_id", "version", "status", "vendor_id", "languages", "skills", "qualifications", "wellness",
    "vetting",
}  # fmt: skip


def _etag(client, contributor_id: int) -> str:
    return client.get(f"/api/v1/contributors/{contributor_id}").headers["etag"]


def _patch(client, contributor_id: int, **changes):
    response = client.patch(
        f"/api/v1/contributors/{contributor_id}",
        json=changes,
        headers={"If-Match": _etag(client, contributor_id)},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_new_contributor_is_published_with_exactly_the_eligibility_facts(ops, databases):
    created = new_contributor(ops, vendor_id=12)

    [event] = outbox(databases, created["id"], "contributor.upserted")

    payload = event["payload"]
    assert set(payload) == UPSERTED_KEYS
    assert payload["version"] == 1 and payload["status"] == "applied" and payload["vendor_id"] == 12
    assert payload["languages"] == [
        {"code": "tl", "proficiency": "native"},
        {"code": "en", "proficiency": "fluent"},
    ]
    assert payload["skills"] == ["ner"] and payload["qualifications"] == [] and payload["vetting"] is None
    assert payload["wellness"] == {
        "daily_caps_minutes": {"low": 480, "medium": 240, "high": 120},
        "opted_out_harmful": False,
        "timezone": "Asia/Manila",
        "break_ends_at": None,
    }
    assert "email" not in str(payload) and created["full_name"] not in str(payload)


def test_the_event_goes_to_tasks_and_vendors(ops, databases):
    created = new_contributor(ops)

    to_vendors = eventually(
        lambda: [
            e
            for e in outbox(databases, created["id"], "contributor.upserted", "vendors")
            if e["delivered_at"]
        ]
    )
    to_tasks = eventually(
        lambda: [
            e for e in outbox(databases, created["id"], "contributor.upserted", "tasks") if e["delivered_at"]
        ]
    )

    assert to_vendors[0]["event_id"] == to_tasks[0]["event_id"]


def test_each_change_of_an_eligibility_fact_publishes_a_newer_version(ops, databases):
    created = new_contributor(ops)
    cid = created["id"]

    _patch(ops, cid, full_name="Renamed Only")  # not a fact: a version, no event
    _patch(ops, cid, skills=["ner", "bbox"])
    _patch(ops, cid, languages=[{"code": "tl", "proficiency": "native"}])
    _patch(ops, cid, vendor_id=33)
    move(ops, cid, "screening")
    ops.put(
        f"/api/v1/contributors/{cid}/qualifications/ner-gold",
        json={"score": 88, "passed": True, "source": "gold"},
    )
    ops.put(f"/api/v1/contributors/{cid}/wellness/opt-out", json={"opted_out_harmful": True})

    payloads = [e["payload"] for e in outbox(databases, cid, "contributor.upserted")]
    versions = [p["version"] for p in payloads]
    last = payloads[-1]
    assert versions == [1, 3, 4, 5, 6, 7, 8]
    assert (last["skills"], last["languages"], last["vendor_id"], last["status"]) == (
        ["ner", "bbox"],
        [{"code": "tl", "proficiency": "native"}],
        33,
        "screening",
    )
    assert last["qualifications"] == [{"name": "ner-gold", "score": 88, "passed": True, "expires_at": None}]
    assert last["wellness"]["opted_out_harmful"] is True
    assert ops.get(f"/api/v1/contributors/{cid}").json()["version"] == 8


def test_the_tasks_read_model_follows_the_latest_version(ops, admin):
    created = new_contributor(ops)
    activate(ops, created["id"])

    profile = eventually(
        lambda: (
            (r := admin.get(f"/api/v1/contributor-profiles/{created['id']}")).status_code == 200
            and r.json()["status"] == "active"
            and r.json()
        )
    )

    assert profile["version"] == ops.get(f"/api/v1/contributors/{created['id']}").json()["version"]


def test_a_change_reaches_tasks_exactly_once_after_it_was_down(ops, admin, cluster, databases):
    created = new_contributor(ops)
    eventually(lambda: admin.get(f"/api/v1/contributor-profiles/{created['id']}").status_code == 200)
    cluster.stop("tasks")
    try:
        move(ops, created["id"], "screening")
        pending = eventually(
            lambda: [
                e
                for e in outbox(databases, created["id"], "contributor.upserted")
                if e["payload"]["status"] == "screening" and e["delivered_at"] is None
            ]
        )
    finally:
        cluster.restart("tasks")

    eventually(
        lambda: admin.get(f"/api/v1/contributor-profiles/{created['id']}").json()["status"] == "screening"
    )
    inbox = query(
        databases.urls["tasks"],
        "SELECT event_id FROM event_inbox WHERE event_id = :e",
        e=pending[0]["event_id"],
    )
    assert len(inbox) == 1


def test_qualifications_are_upserted_by_name_and_report_whether_they_count(ops):
    created = new_contributor(ops)
    url = f"/api/v1/contributors/{created['id']}/qualifications"
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()

    first = ops.put(f"{url}/ner-exam", json={"score": 55, "passed": False, "source": "exam"})
    retake = ops.put(f"{url}/ner-exam", json={"score": 91, "passed": True, "source": "exam"})
    expired = ops.put(
        f"{url}/bbox-gold", json={"score": 99, "passed": True, "source": "gold", "expires_at": past}
    )
    listing = ops.get(url).json()["items"]

    assert (first.status_code, retake.status_code, expired.status_code) == (201, 200, 201)
    assert {q["name"]: (q["score"], q["counts"], q["expired"]) for q in listing} == {
        "bbox-gold": (99, False, True),
        "ner-exam": (91, True, False),
    }


@pytest.mark.parametrize(
    "body",
    [
        {"score": 101, "passed": True, "source": "exam"},
        {"score": -1, "passed": True, "source": "exam"},
        {"score": 50, "passed": True, "source": "rumour"},
        {"score": 50, "passed": True, "source": "exam", "expires_at": "2030-01-01"},
        {"score": 50, "source": "exam"},
    ],
)
def test_bad_qualification_results_are_422(ops, body):
    created = new_contributor(ops)

    response = ops.put(f"/api/v1/contributors/{created['id']}/qualifications/ner", json=body)

    assert response.status_code == 422


def test_removing_a_qualification_publishes_it(ops, databases):
    created = new_contributor(ops)
    url = f"/api/v1/contributors/{created['id']}/qualifications/ner"
    ops.put(url, json={"score": 80, "passed": True, "source": "manual"})

    removed = ops.delete(url)
    again = ops.delete(url)

    assert (removed.status_code, again.status_code) == (204, 404)
    assert outbox(databases, created["id"], "contributor.upserted")[-1]["payload"]["qualifications"] == []


def test_quality_drift_flags_the_qualification_for_retest_until_it_is_retaken(ops, cluster):
    created = new_contributor(ops)
    url = f"/api/v1/contributors/{created['id']}/qualifications"
    ops.put(f"{url}/sentiment", json={"score": 90, "passed": True, "source": "exam"})
    drift = {
        "contributor_id": created["id"],
        "project_id": 7,
        "accuracy": 0.62,
        "min_quality": 0.8,
        "qualification": "sentiment",
    }

    delivered = send_event(cluster, "quality.drift", drift)
    flagged = ops.get(url).json()["items"][0]
    ops.put(f"{url}/sentiment", json={"score": 93, "passed": True, "source": "exam"})
    retaken = ops.get(url).json()["items"][0]

    assert delivered.json()["status"] == "processed"
    assert flagged["retest_required"] is True and "0.620 below 0.800 on project 7" in flagged["retest_reason"]
    assert retaken["retest_required"] is False and retaken["retest_reason"] is None


def test_a_quality_rules_retest_on_another_metric_flags_the_qualification_with_that_metric(ops, cluster):
    created = new_contributor(ops)
    url = f"/api/v1/contributors/{created['id']}/qualifications"
    ops.put(f"{url}/sentiment", json={"score": 90, "passed": True, "source": "exam"})
    retest = {
        "contributor_id": created["id"],
        "project_id": 7,
        "qualification": "sentiment",
        "rule_id": 3,
        "metric": "skips_in_row",
        "value": 4,
        "threshold": 3,
    }

    delivered = send_event(cluster, "quality.drift", retest)

    flagged = ops.get(url).json()["items"][0]
    assert delivered.json()["status"] == "processed"
    assert flagged["retest_required"] is True
    assert flagged["retest_reason"] == "quality rule 3: skips_in_row 4 crossed 3 on project 7"


@pytest.mark.parametrize(
    "measured",
    [{"metric": "skips_in_row", "threshold": 3}, {"metric": "gold_accuracy", "min_quality": 0.8}, {}],
    ids=["retest-without-value", "drift-without-accuracy", "nothing-measured"],
)
def test_a_drift_event_without_its_measurement_is_refused(cluster, measured):
    data = {"contributor_id": 1, "project_id": 7, "qualification": "sentiment", **measured}

    assert send_event(cluster, "quality.drift", data).status_code == 422


def test_a_redelivered_drift_event_has_no_second_effect_and_unknown_ones_are_ignored(ops, cluster, databases):
    created = new_contributor(ops)
    data = {
        "contributor_id": created["id"],
        "project_id": 1,
        "accuracy": 0.5,
        "min_quality": 0.9,
        "qualification": "none-held",
    }

    first = send_event(cluster, "quality.drift", data, event_id="6d0c0a55-0000-4000-8000-00000000d1f7")
    second = send_event(cluster, "quality.drift", data, event_id="6d0c0a55-0000-4000-8000-00000000d1f7")

    assert (first.json()["status"], second.json()["status"]) == ("processed", "duplicate")
    rows = query(
        databases.urls["contributors"],
        "SELECT event_id FROM event_inbox WHERE event_id = :e",
        e="6d0c0a55-0000-4000-8000-00000000d1f7",
    )
    assert len(rows) == 1


def test_malformed_events_are_refused_so_the_sender_keeps_them(cluster):
    response = send_event(cluster, "submission.recorded", {"contributor_id": "someone", "seconds": -5})

    assert response.status_code == 422


def test_concurrent_changes_never_publish_the_same_version_twice(ops, databases):
    from concurrent.futures import ThreadPoolExecutor

    created = new_contributor(ops)
    url = f"/api/v1/contributors/{created['id']}/qualifications"

    def award(i: int) -> int:
        return ops.put(f"{url}/skill-{i}", json={"score": i, "passed": True, "source": "exam"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(award, range(12)))

    versions = [e["payload"]["version"] for e in outbox(databases, created["id"], "contributor.upserted")]
    final = outbox(databases, created["id"], "contributor.upserted")[-1]["payload"]
    assert statuses == [201] * 12
    assert versions == list(range(1, 14))
    assert len(final["qualifications"]) == 12
