"""Leased assignment through the gateway: next, heartbeat, release, submit, eligibility and reasons."""

from __future__ import annotations

import json
import uuid

import httpx

from tests.services.tasks.helpers import (
    active_project,
    execute,
    next_id,
    send_event,
    upsert_profile,
    worker,
)
from tests.support.sql import query
from tests.support.waiting import eventually


def _decoded(payload):
    return json.loads(payload) if isinstance(payload, str) else payload


def _next(client, queue_id):
    return client.post(f"/api/v1/queues/{queue_id}/next")


def _submit(client, assignment_id, answer="cat", seconds=30, key=None):
    return client.post(
        f"/api/v1/assignments/{assignment_id}/submit",
        json={"answer": answer, "time_spent_seconds": seconds},
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def _expire_lease(databases, assignment_id):
    url = databases.urls["tasks"]
    execute(url, f"UPDATE assignments SET lease_expires_at = {_time(url)} WHERE id = :a", a=assignment_id)


def _time(url):
    return "'2000-01-01 00:00:00.000000'" if "sqlite" in url else "TIMESTAMPTZ '2000-01-01T00:00:00+00:00'"


def test_next_leases_a_task_with_its_data(admin, users, cluster):
    _, queues = active_project(admin, tasks=1)
    alice = worker(users, cluster)

    response = _next(alice, queues["labeling"])

    assert response.status_code == 200
    assert response.json()["task"]["data"] == {"n": 0}


def test_a_repeated_next_returns_the_lease_already_held(admin, users, cluster):
    _, queues = active_project(admin, tasks=2)
    alice = worker(users, cluster)
    first = _next(alice, queues["labeling"]).json()

    again = _next(alice, queues["labeling"]).json()

    assert again["assignment_id"] == first["assignment_id"]


def test_the_highest_priority_task_is_served_first(admin, users, cluster):
    rows = [{"data": {"n": 1}, "priority": 1}, {"data": {"n": 2}, "priority": 9}, {"data": {"n": 3}}]
    _, queues = active_project(admin, rows=rows)
    alice = worker(users, cluster)

    response = _next(alice, queues["labeling"])

    assert response.json()["task"]["data"] == {"n": 2}


def test_the_earliest_due_task_wins_among_equal_priorities(admin, users, cluster):
    rows = [
        {"data": {"n": 1}},
        {"data": {"n": 2}, "due_at": "2030-01-02T00:00:00Z"},
        {"data": {"n": 3}, "due_at": "2030-01-01T00:00:00Z"},
    ]
    _, queues = active_project(admin, rows=rows)
    alice = worker(users, cluster)

    assert _next(alice, queues["labeling"]).json()["task"]["data"] == {"n": 3}


def test_a_queue_without_permission_answers_as_if_it_did_not_exist(admin, users, cluster):
    _, queues = active_project(admin, crowd_allowed=False)
    alice = worker(users, cluster)

    refused, missing = _next(alice, queues["labeling"]), _next(alice, 999_999_999)

    assert (refused.status_code, missing.status_code) == (404, 404)
    assert refused.json()["detail"].replace(str(queues["labeling"]), "N") == missing.json()["detail"].replace(
        "999999999", "N"
    )


def test_a_contributor_without_a_required_language_gets_language_and_no_retry(admin, users, cluster):
    _, queues = active_project(admin, required_languages=["fr"])
    alice = worker(users, cluster)

    response = _next(alice, queues["labeling"])

    assert (response.status_code, response.headers["LabelOps-Queue-Reason"]) == (204, "language")
    # Waiting does not teach anyone French.
    assert "Retry-After" not in response.headers


def test_a_required_language_matches_whatever_its_case(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, required_languages=["EN"])
    alice = worker(users, cluster)

    assert _next(alice, queues["labeling"]).status_code == 200


def test_a_contributor_without_a_required_skill_gets_skill(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, required_skills=["audio", "video"])
    alice = worker(users, cluster, skills=["audio"])

    response = _next(alice, queues["labeling"])

    assert (response.status_code, response.headers["LabelOps-Queue-Reason"]) == (204, "skill")


def test_a_not_eligible_contributor_leaves_no_claim_behind_and_gets_the_task_once_eligible(
    admin, users, cluster, databases
):
    # `next` claims in the statement that evaluates the preconditions: a refused caller never holds a
    # claim, not even for a moment.
    project, queues = active_project(admin, tasks=1, required_languages=["fr"])
    alice = worker(users, cluster)
    refused = _next(alice, queues["labeling"])
    contributor_id = alice.get("/api/v1/auth/me").json()["contributor_id"]

    left = query(
        databases.urls["tasks"], "SELECT id FROM assignments WHERE contributor_id = :c", c=contributor_id
    )
    counts = query(
        databases.urls["tasks"], "SELECT assigned_count FROM tasks WHERE project_id = :p", p=project["id"]
    )
    upsert_profile(cluster, contributor_id, languages=[{"code": "fr", "proficiency": "native"}])
    leased = _next(alice, queues["labeling"])

    assert refused.headers["LabelOps-Queue-Reason"] == "language"
    assert left == [] and [c["assigned_count"] for c in counts] == [0]
    assert leased.status_code == 200, leased.text


def test_a_required_qualification_must_be_passed_and_unexpired(admin, users, cluster):
    _, queues = active_project(admin, required_qualification="medical")
    expired = [{"name": "medical", "score": 90, "passed": True, "expires_at": "2020-01-01T00:00:00Z"}]
    alice = worker(users, cluster, qualifications=expired)

    assert _next(alice, queues["labeling"]).headers["LabelOps-Queue-Reason"] == "qualification"


def test_an_opted_out_contributor_gets_no_medium_severity_work(admin, users, cluster):
    _, queues = active_project(admin, content_severity="medium")
    wellness = {
        "daily_caps_minutes": {"low": 480, "medium": 240, "high": 120},
        "opted_out_harmful": True,
        "timezone": "Europe/Paris",
    }
    alice = worker(users, cluster, wellness=wellness)

    assert _next(alice, queues["labeling"]).headers["LabelOps-Queue-Reason"] == "opted_out"


def test_an_event_without_wellness_gets_the_default_caps(admin, users, cluster):
    contributor_id = next_id()
    send_event(
        cluster,
        "contributor.upserted",
        {
            "contributor_id": contributor_id,
            "version": 1,
            "status": "active",
            "vendor_id": None,
            "languages": [],
            "skills": [],
        },
    )

    profile = admin.get(f"/api/v1/contributor-profiles/{contributor_id}").json()

    assert (profile["daily_caps_minutes"], profile["opted_out_harmful"]) == (
        {"low": 480, "medium": 240, "high": 120},
        False,
    )


def test_a_contributor_past_the_daily_cap_gets_wellness_cap(admin, users, cluster):
    _, queues = active_project(admin, tasks=3, content_severity="high")
    wellness = {
        "daily_caps_minutes": {"low": 480, "medium": 240, "high": 1},
        "opted_out_harmful": False,
        "timezone": "Asia/Tokyo",
    }
    alice = worker(users, cluster, wellness=wellness)
    lease = _next(alice, queues["labeling"]).json()
    _submit(alice, lease["assignment_id"], seconds=61)

    response = _next(alice, queues["labeling"])

    assert (response.status_code, response.headers["LabelOps-Queue-Reason"]) == (204, "wellness_cap")


def test_a_contributor_at_the_daily_quota_gets_daily_quota_until_local_midnight(admin, users, cluster):
    _, queues = active_project(admin, tasks=3, daily_quota=1)
    alice, bob = worker(users, cluster), worker(users, cluster)
    _submit(alice, _next(alice, queues["labeling"]).json()["assignment_id"])

    refused = _next(alice, queues["labeling"])

    assert (refused.status_code, refused.headers["LabelOps-Queue-Reason"]) == (204, "daily_quota")
    assert 0 < int(refused.headers["Retry-After"]) <= 86_400
    assert _next(bob, queues["labeling"]).status_code == 200


def test_an_erased_contributor_is_not_eligible(admin, users, cluster):
    _, queues = active_project(admin)
    alice = worker(users, cluster)
    send_event(cluster, "contributor.erased", {"contributor_id": alice.contributor_id})

    assert _next(alice, queues["labeling"]).headers["LabelOps-Queue-Reason"] == "not_active"


def test_an_empty_queue_says_exhausted(admin, users, cluster):
    _, queues = active_project(admin, tasks=0)
    alice = worker(users, cluster)

    response = _next(alice, queues["labeling"])

    assert (response.status_code, response.headers["LabelOps-Queue-Reason"]) == (204, "exhausted")


def test_a_queue_whose_tasks_are_all_leased_says_all_leased(admin, users, cluster):
    _, queues = active_project(admin, tasks=1)
    alice, bob = worker(users, cluster), worker(users, cluster)
    _next(alice, queues["labeling"])

    response = _next(bob, queues["labeling"])

    assert (response.status_code, response.headers["LabelOps-Queue-Reason"]) == (204, "all_leased")


def test_a_contributor_never_gets_the_same_task_twice(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, overlap=2)
    alice = worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()
    _submit(alice, lease["assignment_id"])

    response = _next(alice, queues["labeling"])

    assert response.headers["LabelOps-Queue-Reason"] == "exhausted"


def test_overlap_serves_a_task_to_as_many_different_contributors(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, overlap=2)
    alice, bob = worker(users, cluster), worker(users, cluster)

    a = _next(alice, queues["labeling"]).json()
    b = _next(bob, queues["labeling"]).json()

    assert a["task"]["id"] == b["task"]["id"]


def test_an_expired_grant_stops_working_at_once(admin, users, cluster, databases):
    _, queues = active_project(admin, crowd_allowed=False)
    alice = worker(users, cluster)
    grant = admin.post(
        f"/api/v1/queues/{queues['labeling']}/permissions",
        json={
            "contributor_id": alice.contributor_id,
            "role": "labeler",
            "expires_at": "2099-01-01T00:00:00Z",
        },
    ).json()
    url = databases.urls["tasks"]
    execute(url, f"UPDATE queue_permissions SET expires_at = {_time(url)} WHERE id = :g", g=grant["id"])

    assert _next(alice, queues["labeling"]).status_code == 404


def test_a_revoked_grant_stops_working(admin, users, cluster):
    _, queues = active_project(admin, crowd_allowed=False)
    alice = worker(users, cluster)
    grant = admin.post(
        f"/api/v1/queues/{queues['labeling']}/permissions", json={"contributor_id": alice.contributor_id}
    ).json()

    admin.delete(f"/api/v1/queues/{queues['labeling']}/permissions/{grant['id']}")

    assert _next(alice, queues["labeling"]).status_code == 404


def test_a_grant_needs_exactly_one_grantee(admin, cluster):
    _, queues = active_project(admin)

    response = admin.post(f"/api/v1/queues/{queues['labeling']}/permissions", json={"role": "labeler"})

    assert response.status_code == 422


def test_a_vendor_grant_lets_that_vendors_contributors_work(admin, users, cluster):
    _, queues = active_project(admin, crowd_allowed=False, allowed_vendors=[5501])
    staff = worker(users, cluster, vendor_id=5501)

    assert _next(staff, queues["labeling"]).status_code == 200


def test_a_suspended_vendors_contributors_get_403_until_restored(admin, users, cluster):
    project, queues = active_project(admin, crowd_allowed=False, allowed_vendors=[5502])
    staff = worker(users, cluster, vendor_id=5502)
    admin.post(
        f"/api/v1/projects/{project['id']}/vendor-suspensions", json={"vendor_id": 5502, "reason": "budget"}
    )
    suspended = _next(staff, queues["labeling"]).status_code

    admin.delete(f"/api/v1/projects/{project['id']}/vendor-suspensions/5502")

    assert (suspended, _next(staff, queues["labeling"]).status_code) == (403, 200)


def test_a_submission_is_recorded_once(admin, users, cluster):
    _, queues = active_project(admin, tasks=1)
    alice = worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()

    response = _submit(alice, lease["assignment_id"], "dog")

    assert (response.status_code, response.json()["outcome"]) == (201, "accepted")


def test_a_replayed_submit_returns_the_first_response(admin, users, cluster, databases):
    _, queues = active_project(admin, tasks=1)
    alice = worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()
    first = _submit(alice, lease["assignment_id"], key="same-key")

    replay = _submit(alice, lease["assignment_id"], key="same-key")

    assert replay.json() == first.json()
    rows = query(
        databases.urls["tasks"],
        "SELECT id FROM submissions WHERE assignment_id = :a",
        a=lease["assignment_id"],
    )
    assert len(rows) == 1


def test_submitting_another_contributors_assignment_is_not_found(admin, users, cluster):
    _, queues = active_project(admin, tasks=1)
    alice, mallory = worker(users, cluster), worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()

    assert _submit(mallory, lease["assignment_id"]).status_code == 404


def test_an_answer_outside_the_schema_is_422_naming_the_field(admin, users, cluster):
    _, queues = active_project(admin, tasks=1)
    alice = worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()

    response = _submit(alice, lease["assignment_id"], "horse")

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "answer")


def test_submitting_an_expired_lease_is_a_conflict(admin, users, cluster, databases):
    _, queues = active_project(admin, tasks=1)
    alice = worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()
    _expire_lease(databases, lease["assignment_id"])

    assert _submit(alice, lease["assignment_id"]).status_code == 409


def test_an_expired_lease_is_reclaimed_by_the_next_next(admin, users, cluster, databases):
    _, queues = active_project(admin, tasks=1)
    alice, bob = worker(users, cluster), worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()
    _expire_lease(databases, lease["assignment_id"])

    response = _next(bob, queues["labeling"])

    assert response.json()["task"]["id"] == lease["task"]["id"]


def test_the_sweeper_reclaims_expired_leases(admin, users, cluster, databases):
    _, queues = active_project(admin, tasks=1)
    alice = worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()

    _expire_lease(databases, lease["assignment_id"])

    eventually(
        lambda: query(
            databases.urls["tasks"],
            "SELECT 1 FROM assignments WHERE id = :a AND status = 'expired'",
            a=lease["assignment_id"],
        ),
        timeout=20,
    )


def test_a_heartbeat_extends_the_lease(admin, users, cluster):
    _, queues = active_project(admin, tasks=1)
    alice = worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()

    response = alice.post(f"/api/v1/assignments/{lease['assignment_id']}/heartbeat")

    assert response.json()["lease_expires_at"] >= lease["lease_expires_at"]


def test_a_released_task_goes_back_to_the_queue_for_someone_else(admin, users, cluster):
    _, queues = active_project(admin, tasks=1)
    alice, bob = worker(users, cluster), worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()

    alice.post(f"/api/v1/assignments/{lease['assignment_id']}/release")

    assert _next(bob, queues["labeling"]).json()["task"]["id"] == lease["task"]["id"]


def test_a_paused_project_serves_no_work(admin, users, cluster):
    project, queues = active_project(admin, tasks=1)
    alice = worker(users, cluster)
    admin.post(f"/api/v1/projects/{project['id']}/transitions", json={"to": "paused"})

    assert _next(alice, queues["labeling"]).status_code == 204


def test_a_submission_tells_contributors_about_exposure(admin, users, cluster, databases):
    _, queues = active_project(admin, tasks=1, content_severity="low")
    alice = worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()

    _submit(alice, lease["assignment_id"], seconds=42)

    rows = query(
        databases.urls["tasks"],
        "SELECT payload FROM event_outbox WHERE event_type = 'submission.recorded' ORDER BY id DESC LIMIT 20",
    )
    payloads = [_decoded(r["payload"]) for r in rows]
    assert {"contributor_id": alice.contributor_id, "severity": "low", "seconds": 42}.items() <= next(
        p for p in payloads if p["contributor_id"] == alice.contributor_id
    ).items()


def test_gold_below_min_quality_emits_quality_drift(admin, users, cluster, databases):
    rows = [{"data": {"n": 1}, "gold_answer": "cat"}]
    project, queues = active_project(
        admin, rows=rows, gold_ratio=1.0, min_quality=0.8, required_qualification=None
    )
    alice = worker(users, cluster)
    lease = _next(alice, queues["labeling"]).json()

    _submit(alice, lease["assignment_id"], "dog")

    drift = query(
        databases.urls["tasks"], "SELECT payload FROM event_outbox WHERE event_type = 'quality.drift'"
    )
    payloads = [_decoded(r["payload"]) for r in drift]
    assert any(
        p["project_id"] == project["id"] and p["contributor_id"] == alice.contributor_id for p in payloads
    )


def test_a_contributor_user_without_profile_is_not_eligible(admin, users, cluster):
    _, queues = active_project(admin, crowd_allowed=False)
    contributor_id = next_id()
    ghost = users.create("contributor", contributor_id=contributor_id)
    admin.post(f"/api/v1/queues/{queues['labeling']}/permissions", json={"contributor_id": contributor_id})

    assert _next(ghost, queues["labeling"]).headers["LabelOps-Queue-Reason"] == "not_active"


def test_an_older_profile_event_does_not_replace_a_newer_one(admin, cluster):
    contributor_id = next_id()
    upsert_profile(cluster, contributor_id, version=5, status="active")
    upsert_profile(cluster, contributor_id, version=4, status="suspended")

    assert admin.get(f"/api/v1/contributor-profiles/{contributor_id}").json()["status"] == "active"


def test_metrics_expose_queue_depth_and_next_latency_without_ids(admin, users, cluster):
    _, queues = active_project(admin, tasks=2)
    _next(worker(users, cluster), queues["labeling"])

    text = httpx.get(cluster.services["tasks"].url + "/metrics").text

    assert 'labelops_queue_depth{status="leased"}' in text
    assert "labelops_next_latency_seconds_bucket" in text
    assert "project_id=" not in text and "contributor_id=" not in text


def test_ops_and_the_contributor_ask_why_there_is_no_work_and_get_next_s_answer(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, required_languages=["fr"])
    alice, bob = worker(users, cluster), worker(users, cluster)
    url = f"/api/v1/queues/{queues['labeling']}/eligibility"

    by_ops = admin.get(url, params={"contributor_id": alice.contributor_id})
    by_herself = alice.get(url, params={"contributor_id": alice.contributor_id})
    about_bob = alice.get(url, params={"contributor_id": bob.contributor_id})
    refused = _next(alice, queues["labeling"])

    assert by_ops.status_code == 200, by_ops.text
    body = by_ops.json()
    assert (body["eligible"], body["reason"]) == (False, refused.headers["LabelOps-Queue-Reason"])
    languages = next(rule for rule in body["rules"] if rule["rule"] == "languages")
    assert languages["passed"] is False
    assert languages["compared"]["required"] == ["fr"]
    assert by_herself.json() == body
    assert about_bob.status_code == 404
