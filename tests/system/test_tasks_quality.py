"""Review, gold, aggregation, results, export, stats and production through the gateway."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

from tests.services.tasks.helpers import active_project, reviewer_on, work_one, worker


def _next(client, queue_id):
    return client.post(f"/api/v1/queues/{queue_id}/next")


def test_a_reviewed_projects_submission_waits_for_review(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, review_ratio=1.0)
    alice = worker(users, cluster)

    submission = work_one(alice, queues["labeling"])

    assert submission["outcome"] == "pending_review"


def test_a_reviewer_leases_a_pending_submission_with_its_answer(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, review_ratio=1.0)
    alice = worker(users, cluster)
    submission = work_one(alice, queues["labeling"], "dog")
    reviewer = reviewer_on(admin, users, cluster, queues["review"])

    lease = _next(reviewer, queues["review"]).json()

    assert (lease["submission_id"], lease["answer"]) == (submission["id"], "dog")


def test_many_concurrent_review_requests_are_all_answered(admin, users, cluster):
    # More concurrent review `next` calls than the tasks service has pooled connections (16): each must
    # be served on one connection, or they would all hold one and wait for a second.
    _, queues = active_project(admin, tasks=1, review_ratio=1.0)
    reviewer = reviewer_on(admin, users, cluster, queues["review"])

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(lambda _: _next(reviewer, queues["review"]).status_code, range(40)))

    assert statuses == [204] * 40  # nothing pending to review, and no 503 for want of a connection


def test_a_contributor_without_reviewer_role_cannot_pull_reviews(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, review_ratio=1.0)
    alice = worker(users, cluster)

    assert _next(alice, queues["review"]).status_code == 404


def test_a_suspended_vendors_reviewers_get_403_and_cannot_decide_until_restored(admin, users, cluster):
    project, queues = active_project(admin, tasks=1, review_ratio=1.0)
    submission = work_one(worker(users, cluster), queues["labeling"])
    staff = reviewer_on(admin, users, cluster, queues["review"], vendor_id=5601)
    admin.post(
        f"/api/v1/projects/{project['id']}/vendor-suspensions", json={"vendor_id": 5601, "reason": "audit"}
    )

    suspended_next = _next(staff, queues["review"])
    suspended_verdict = staff.post(
        "/api/v1/reviews", json={"submission_id": submission["id"], "verdict": "accept"}
    )
    admin.delete(f"/api/v1/projects/{project['id']}/vendor-suspensions/5601")

    assert (suspended_next.status_code, suspended_verdict.status_code) == (403, 404)
    assert "suspended" in suspended_next.json()["detail"]
    assert _next(staff, queues["review"]).json()["submission_id"] == submission["id"]
    verdict = staff.post("/api/v1/reviews", json={"submission_id": submission["id"], "verdict": "accept"})
    assert verdict.status_code == 201, verdict.text


def test_a_rejection_requeues_the_task_for_someone_else(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, review_ratio=1.0)
    alice, bob = worker(users, cluster), worker(users, cluster)
    submission = work_one(alice, queues["labeling"])
    reviewer = reviewer_on(admin, users, cluster, queues["review"])

    verdict = reviewer.post("/api/v1/reviews", json={"submission_id": submission["id"], "verdict": "reject"})

    assert (verdict.status_code, verdict.json()["requeued"]) == (201, True)
    assert _next(bob, queues["labeling"]).json()["task"]["id"] == submission["task_id"]


def test_a_correction_becomes_the_final_label(admin, users, cluster):
    project, queues = active_project(admin, tasks=1, review_ratio=1.0)
    alice = worker(users, cluster)
    submission = work_one(alice, queues["labeling"], "cat")
    reviewer = reviewer_on(admin, users, cluster, queues["review"])

    reviewer.post(
        "/api/v1/reviews", json={"submission_id": submission["id"], "verdict": "correct", "answer": "dog"}
    )

    assert admin.get(f"/api/v1/projects/{project['id']}/results").json()["items"][0]["final_answer"] == "dog"


def test_a_correction_outside_the_schema_is_422(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, review_ratio=1.0)
    alice = worker(users, cluster)
    submission = work_one(alice, queues["labeling"])
    reviewer = reviewer_on(admin, users, cluster, queues["review"])

    response = reviewer.post(
        "/api/v1/reviews", json={"submission_id": submission["id"], "verdict": "correct", "answer": "horse"}
    )

    assert response.status_code == 422


def test_a_submission_cannot_be_reviewed_twice(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, review_ratio=1.0)
    alice = worker(users, cluster)
    submission = work_one(alice, queues["labeling"])
    reviewer = reviewer_on(admin, users, cluster, queues["review"])
    reviewer.post("/api/v1/reviews", json={"submission_id": submission["id"], "verdict": "accept"})

    again = reviewer.post("/api/v1/reviews", json={"submission_id": submission["id"], "verdict": "accept"})

    assert again.status_code == 409


def test_majority_aggregation_reports_a_tie_as_no_consensus(admin, users, cluster):
    project, queues = active_project(admin, tasks=1, overlap=2)
    work_one(worker(users, cluster), queues["labeling"], "cat")
    work_one(worker(users, cluster), queues["labeling"], "dog")

    result = admin.post(f"/api/v1/projects/{project['id']}/aggregate", json={"method": "majority"}).json()

    assert (result["tasks"][0]["label"], result["tasks"][0]["tied"], result["ties"]) == (
        None,
        ["cat", "dog"],
        1,
    )


def test_dawid_skene_aggregation_labels_every_task(admin, users, cluster):
    project, queues = active_project(admin, tasks=2, overlap=2)
    crew = [worker(users, cluster), worker(users, cluster)]
    for member in crew:
        work_one(member, queues["labeling"], "cat")
        work_one(member, queues["labeling"], "cat")

    result = admin.post(f"/api/v1/projects/{project['id']}/aggregate", json={"method": "dawid_skene"}).json()

    assert [t["label"] for t in result["tasks"]] == ["cat", "cat"]


def test_an_unknown_aggregation_method_is_422(admin, cluster):
    project, _ = active_project(admin, tasks=0)

    response = admin.post(f"/api/v1/projects/{project['id']}/aggregate", json={"method": "vibes"})

    assert response.status_code == 422


def test_export_as_csv_has_a_row_per_task(admin, users, cluster):
    project, queues = active_project(admin, tasks=2)
    work_one(worker(users, cluster), queues["labeling"], "dog")

    response = admin.get(f"/api/v1/projects/{project['id']}/export", params={"format": "csv"})

    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert (response.headers["content-type"].startswith("text/csv"), len(rows)) == (True, 2)


def test_export_as_label_studio_carries_annotations(admin, users, cluster):
    project, queues = active_project(admin, tasks=1)
    work_one(worker(users, cluster), queues["labeling"], "dog")

    tasks = admin.get(f"/api/v1/projects/{project['id']}/export", params={"format": "label-studio"}).json()

    assert tasks[0]["annotations"][0]["result"][0]["value"]["choices"] == ["dog"]


def test_export_as_jsonl_has_one_line_per_task(admin, cluster):
    project, _ = active_project(admin, tasks=3)

    response = admin.get(f"/api/v1/projects/{project['id']}/export", params={"format": "jsonl"})

    assert len(response.text.strip().splitlines()) == 3


def test_project_stats_count_progress_handling_time_and_gold(admin, users, cluster):
    rows = [{"data": {"n": 1}, "gold_answer": "cat"}, {"data": {"n": 2}}]
    project, queues = active_project(admin, rows=rows, gold_ratio=1.0, sla_turnaround_hours=24)
    alice = worker(users, cluster)
    work_one(alice, queues["labeling"], "dog", seconds=10)
    work_one(alice, queues["labeling"], "cat", seconds=30)

    stats = admin.get(f"/api/v1/projects/{project['id']}/stats").json()

    assert stats["progress"]["tasks_completed"] == 2
    assert (stats["avg_handling_seconds"], stats["gold_accuracy"], stats["sla"]["on_time_rate"]) == (
        20,
        0.0,
        1.0,
    )


def test_stats_forecast_the_manpower_at_the_measured_handling_time(admin, users, cluster):
    project, queues = active_project(
        admin, tasks=3, required_languages=["en"], deadline="2099-01-01T00:00:00Z", sla_turnaround_hours=24
    )
    work_one(worker(users, cluster), queues["labeling"], seconds=3600)

    stats = admin.get(f"/api/v1/projects/{project['id']}/stats").json()

    assert stats["manpower"]["contributor_hours_needed"] == 2
    assert stats["manpower"]["assumptions"]["handling_seconds"] == {"value": 3600.0, "source": "measured"}
    assert [row["locale"] for row in stats["manpower"]["locales"]] == [None]


def test_production_counts_accepted_units_of_a_vendor(admin, users, cluster):
    project, queues = active_project(admin, tasks=2, crowd_allowed=False, allowed_vendors=[6601])
    staff = worker(users, cluster, vendor_id=6601)
    work_one(staff, queues["labeling"])
    work_one(staff, queues["labeling"])

    items = admin.get("/api/v1/production", params={"vendor_id": 6601}).json()["items"]

    assert [(i["project_id"], i["accepted_units"], i["rejected_units"]) for i in items] == [
        (project["id"], 2, 0)
    ]


def test_a_vendor_user_asking_for_another_vendors_production_gets_404(users, cluster):
    vendor_user = users.create("vendor", vendor_id=6602)

    assert vendor_user.get("/api/v1/production", params={"vendor_id": 6603}).status_code == 404


def test_a_vendor_user_reads_its_own_production(users, cluster):
    vendor_user = users.create("vendor", vendor_id=6604)

    assert vendor_user.get("/api/v1/production").json() == {"items": []}


def test_vendor_stats_feed_the_scorecard(admin, users, cluster):
    _, queues = active_project(
        admin, tasks=1, crowd_allowed=False, allowed_vendors=[6605], content_severity="low"
    )
    staff = worker(users, cluster, vendor_id=6605)
    work_one(staff, queues["labeling"], seconds=120)

    stats = admin.get("/api/v1/stats/vendors/6605").json()

    assert (
        stats["accepted_units"],
        stats["avg_handling_seconds"],
        stats["exposure_minutes_by_severity"]["low"],
    ) == (
        1,
        120,
        2,
    )


def test_a_production_period_must_have_offsets(admin, cluster):
    response = admin.get("/api/v1/production", params={"since": "2026-01-01T00:00:00"})

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["since"]


def test_another_contributors_stats_are_not_found(users, cluster):
    alice = worker(users, cluster)

    assert alice.get(f"/api/v1/stats/contributors/{alice.contributor_id + 1}").status_code == 404


def test_another_vendors_stats_are_not_found_for_a_vendor_user(users, cluster):
    vendor_user = users.create("vendor", vendor_id=6606)

    assert vendor_user.get("/api/v1/stats/vendors/6607").status_code == 404


def test_a_vendor_user_reads_its_own_contributors_stats_only(users, cluster):
    staff = worker(users, cluster, vendor_id=6608)
    stranger = worker(users, cluster, vendor_id=6609)
    vendor_user = users.create("vendor", vendor_id=6608)

    own = vendor_user.get(f"/api/v1/stats/contributors/{staff.contributor_id}").status_code
    other = vendor_user.get(f"/api/v1/stats/contributors/{stranger.contributor_id}").status_code

    assert (own, other) == (200, 404)
