"""Production per UTC day with the handling time of the accepted units (what hour lines are billed against)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.services.tasks.helpers import active_project, reviewer_on, work_one, worker


def test_production_by_day_reports_the_handling_seconds_of_accepted_units(admin, users, cluster):
    # given a vendor's two answers of 120 s and 300 s, and a third of 600 s that a reviewer rejects
    project, queues = active_project(
        admin, tasks=3, crowd_allowed=False, allowed_vendors=[6611], review_ratio=1.0
    )
    staff = worker(users, cluster, vendor_id=6611)
    answers = [work_one(staff, queues["labeling"], seconds=s) for s in (120, 300, 600)]
    checker = reviewer_on(admin, users, cluster, queues["review"])
    for answer, verdict in zip(answers, ("accept", "accept", "reject"), strict=True):
        decided = checker.post("/api/v1/reviews", json={"submission_id": answer["id"], "verdict": verdict,
                                                        "requeue": False})  # fmt: skip
        assert decided.status_code == 201, decided.text

    # when
    by_day = admin.get("/api/v1/production", params={"vendor_id": 6611, "group_by": "day"}).json()["items"]
    whole = admin.get("/api/v1/production", params={"vendor_id": 6611}).json()["items"]

    # then
    today = str(datetime.now(UTC).date())
    assert [(i["project_id"], i["day"], i["accepted_units"], i["rejected_units"], i["handling_seconds"])
            for i in by_day] == [(project["id"], today, 2, 1, 420)]  # fmt: skip
    assert [(i["day"], i["handling_seconds"]) for i in whole] == [(None, 420)]


def test_an_unknown_grouping_is_422(admin, cluster):
    assert admin.get("/api/v1/production", params={"group_by": "week"}).status_code == 422
