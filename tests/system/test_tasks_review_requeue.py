"""A rejection that requeues a task takes it out of the project's completed totals until it is redone."""

from __future__ import annotations

from tests.services.tasks.helpers import active_project, reviewer_on, work_one, worker


def _stats(admin, project_id):
    return admin.get(f"/api/v1/projects/{project_id}/stats").json()


def test_a_requeued_rejection_uncounts_the_completed_task_and_its_sla(admin, users, cluster):
    project, queues = active_project(admin, tasks=1, review_ratio=1.0, sla_turnaround_hours=24)
    submission = work_one(worker(users, cluster), queues["labeling"])
    reviewer = reviewer_on(admin, users, cluster, queues["review"])
    assert _stats(admin, project["id"])["progress"]["tasks_completed"] == 1

    reviewer.post("/api/v1/reviews", json={"submission_id": submission["id"], "verdict": "reject"})

    stats = _stats(admin, project["id"])
    assert (stats["progress"]["tasks_completed"], stats["progress"]["tasks_open"]) == (0, 1)
    assert (stats["progress"]["rejected"], stats["sla"]["on_time_rate"]) == (1, None)


def test_a_requeued_task_redone_counts_once(admin, users, cluster):
    project, queues = active_project(admin, tasks=1, review_ratio=1.0, sla_turnaround_hours=24)
    first = work_one(worker(users, cluster), queues["labeling"])
    reviewer = reviewer_on(admin, users, cluster, queues["review"])
    reviewer.post("/api/v1/reviews", json={"submission_id": first["id"], "verdict": "reject"})

    second = work_one(worker(users, cluster), queues["labeling"], "dog")
    reviewer.post("/api/v1/reviews", json={"submission_id": second["id"], "verdict": "accept"})

    stats = _stats(admin, project["id"])
    assert (stats["progress"]["tasks_completed"], stats["progress"]["tasks_open"]) == (1, 0)
    assert (stats["progress"]["accepted"], stats["progress"]["rejected"]) == (1, 1)
    assert stats["sla"]["on_time_rate"] == 1.0


def test_a_rejection_without_requeue_keeps_the_task_completed(admin, users, cluster):
    project, queues = active_project(admin, tasks=1, review_ratio=1.0)
    submission = work_one(worker(users, cluster), queues["labeling"])
    reviewer = reviewer_on(admin, users, cluster, queues["review"])

    reviewer.post(
        "/api/v1/reviews", json={"submission_id": submission["id"], "verdict": "reject", "requeue": False}
    )

    assert _stats(admin, project["id"])["progress"]["tasks_completed"] == 1
