"""Production per UTC day with the handling time of the accepted units (what hour lines are billed against)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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


def test_production_counts_only_decisions_in_the_window_since_until(admin, users, cluster):
    # given one accepted answer of a vendor, decided now
    project, queues = active_project(admin, tasks=1, crowd_allowed=False, allowed_vendors=[6612])
    work_one(worker(users, cluster, vendor_id=6612), queues["labeling"], seconds=60)
    now = datetime.now(UTC)

    def accepted(since: datetime, until: datetime) -> list[int]:
        window = {"vendor_id": 6612, "since": since.isoformat(), "until": until.isoformat()}
        response = admin.get("/api/v1/production", params=window)
        assert response.status_code == 200, response.text
        return [i["accepted_units"] for i in response.json()["items"] if i["project_id"] == project["id"]]

    # when / then: a window holding now counts it, the day before does not
    assert accepted(now - timedelta(hours=1), now + timedelta(hours=1)) == [1]
    assert accepted(now - timedelta(days=1), now - timedelta(hours=1)) == []


def test_a_reversed_window_is_422_naming_since(admin, cluster):
    now = datetime.now(UTC)
    window = {"since": now.isoformat(), "until": (now - timedelta(days=1)).isoformat()}

    responses = [
        admin.get(path, params=window) for path in ("/api/v1/production", "/api/v1/stats/vendors/6612")
    ]

    assert [(r.status_code, [e["field"] for e in r.json()["errors"]]) for r in responses] == [
        (422, ["since"])
    ] * 2


def test_the_old_from_and_to_names_are_refused_not_ignored(admin, cluster):
    response = admin.get(
        "/api/v1/production", params={"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"}
    )

    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == ["from", "to"]
