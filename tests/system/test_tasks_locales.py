"""Per-task locales and the manpower forecast, through the gateway on the real services.

One demand in several locales is one project: each task carries a locale, each contributor gets the
tasks in languages it speaks at the project's minimum proficiency, and the forecast plans each locale
against the people who may work it. Every project here requires a skill of its own, so its eligible pool
is the test's contributors only (the suite's clusters are shared).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.tasks.assignment.preconditions import QUEUE_REASON
from tests.services.tasks.helpers import activate, create_project, import_tasks, work_one, worker


def _skill() -> str:
    return f"skill-{uuid.uuid4().hex[:8]}"


def _speaker(users, cluster, skill: str, code: str, proficiency: str = "native"):
    return worker(users, cluster, skills=[skill], languages=[{"code": code, "proficiency": proficiency}])


def _locales_project(admin, skill: str, **overrides):
    return create_project(
        admin,
        locales=["en-US", "ja-JP"],
        min_language_proficiency="fluent",
        required_skills=[skill],
        **overrides,
    )


def _rows(counts: dict[str, int]) -> list[dict]:
    return [
        {"data": {"locale": locale, "n": n}, "locale": locale}
        for locale, k in counts.items()
        for n in range(k)
    ]


def _leased_locales(client, queue_id: int) -> list[str]:
    seen = []
    while (lease := client.post(f"/api/v1/queues/{queue_id}/next")).status_code == 200:
        seen.append(lease.json()["task"]["data"]["locale"])
        submitted = client.post(
            f"/api/v1/assignments/{lease.json()['assignment_id']}/submit",
            json={"answer": "cat", "time_spent_seconds": 5},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert submitted.status_code == 201, submitted.text
    assert lease.status_code == 204, lease.text
    return seen


def test_each_contributor_gets_the_tasks_of_the_languages_it_speaks(admin, users, cluster):
    skill = _skill()
    project = _locales_project(admin, skill)
    import_tasks(admin, project["id"], _rows({"en-US": 2, "ja-JP": 2}))
    queue = activate(admin, project["id"])["labeling"]
    english, japanese = _speaker(users, cluster, skill, "en-GB"), _speaker(users, cluster, skill, "ja")
    beginner = _speaker(users, cluster, skill, "ja", "basic")

    refused = beginner.post(f"/api/v1/queues/{queue}/next")

    assert sorted(_leased_locales(english, queue)) == ["en-US", "en-US"]
    assert sorted(_leased_locales(japanese, queue)) == ["ja-JP", "ja-JP"]
    assert (refused.status_code, refused.headers[QUEUE_REASON]) == (204, "language")
    explained = admin.get(
        f"/api/v1/queues/{queue}/eligibility", params={"contributor_id": beginner.contributor_id}
    )
    rule = next(r for r in explained.json()["rules"] if r["rule"] == "speaks_a_locale")
    assert (rule["passed"], rule["compared"]["locales"]) == (False, ["en-US", "ja-JP"])


def test_an_import_keeps_each_tasks_locale_and_refuses_one_the_project_does_not_accept(admin):
    project = _locales_project(admin, _skill())
    rows = [{"data": {"n": 1}, "locale": "en-us"}, {"data": {"n": 2}, "locale": "de-DE"}, {"data": {"n": 3}}]

    result = import_tasks(admin, project["id"], rows)

    assert (result["imported"], [e["row"] for e in result["errors"]]) == (1, [2, 3])
    assert "de-DE is not one of the project's" in result["errors"][0]["detail"]
    items = admin.get(f"/api/v1/projects/{project['id']}/results").json()["items"]
    assert [i["locale"] for i in items] == ["en-US"]
    exported = admin.get(f"/api/v1/projects/{project['id']}/export", params={"format": "label-studio"}).json()
    assert exported[0]["meta"]["locale"] == "en-US"


def test_a_locale_with_unfinished_tasks_cannot_be_dropped(admin):
    project = _locales_project(admin, _skill())
    import_tasks(admin, project["id"], _rows({"ja-JP": 1}))
    etag = admin.get(f"/api/v1/projects/{project['id']}").headers["etag"]

    dropped = admin.patch(
        f"/api/v1/projects/{project['id']}", json={"locales": ["en-US"]}, headers={"If-Match": etag}
    )
    added = admin.patch(
        f"/api/v1/projects/{project['id']}",
        json={"locales": ["en-US", "ja-JP", "de-DE"]},
        headers={"If-Match": etag},
    )

    assert dropped.status_code == 422
    assert dropped.json()["errors"][0] == {
        "pointer": "/locales",
        "field": "locales",
        "in": "body",
        "detail": "unfinished tasks are in ja-JP",
    }
    assert added.status_code == 200 and added.json()["locales"] == ["en-US", "ja-JP", "de-DE"]


def test_locales_cannot_be_given_to_a_project_whose_unfinished_tasks_have_none(admin):
    project = create_project(admin)
    import_tasks(admin, project["id"], [{"data": {"n": 1}}])
    etag = admin.get(f"/api/v1/projects/{project['id']}").headers["etag"]

    response = admin.patch(
        f"/api/v1/projects/{project['id']}", json={"locales": ["en-US"]}, headers={"If-Match": etag}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["detail"] == "unfinished tasks have no locale"


@pytest.mark.parametrize("field", ["locales", "required_languages"])
def test_languages_are_bcp47_tags_in_every_list(admin, field):
    response = admin.post("/api/v1/projects", json={**_project_json(), field: ["en_US"]})

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == f"/{field}/0"


def _project_json() -> dict:
    return {
        "name": "tags",
        "task_type": "classification",
        "label_schema": {"type": "choices", "choices": ["cat", "dog"], "multiple": False},
    }


def test_the_forecast_plans_each_locale_before_any_answer(admin, users, cluster):
    skill = _skill()
    deadline = datetime.now(UTC) + timedelta(days=2)
    project = _locales_project(
        admin,
        skill,
        overlap=2,
        review_ratio=0.5,
        planned_handling_seconds=60.0,
        planned_hours_per_day=4.0,
        deadline=deadline.isoformat(),
    )
    import_tasks(admin, project["id"], _rows({"en-US": 6, "ja-JP": 3}))
    activate(admin, project["id"])
    _speaker(users, cluster, skill, "en")
    _speaker(users, cluster, skill, "en-US", "fluent")
    _speaker(users, cluster, skill, "ja")
    _speaker(users, cluster, skill, "ja", "basic")  # below the project's minimum: not in the pool

    forecast = admin.get(f"/api/v1/projects/{project['id']}/forecast").json()
    stated = admin.get(f"/api/v1/projects/{project['id']}/forecast", params={"handling_seconds": 600}).json()
    stats = admin.get(f"/api/v1/projects/{project['id']}/stats").json()

    english, japanese = forecast["locales"]
    # 6 tasks × overlap 2 to label, half of them to review, at 60 s each: (12 + 6) min = 0.3 h.
    assert (english["locale"], english["labeling_units_left"], english["review_units_left"]) == (
        "en-US",
        12,
        6,
    )
    assert (english["contributor_hours_needed"], english["headcount_needed"]) == (0.3, 1)
    assert (english["eligible_pool"], english["status"]) == (2, "on_track")
    # Each ja-JP task needs two different people; one may work it.
    assert (japanese["eligible_pool"], japanese["status"]) == (1, "infeasible")
    assert forecast["status"] == "infeasible"
    assert forecast["assumptions"]["handling_seconds"] == {"value": 60.0, "source": "project"}
    assert forecast["assumptions"]["hours_per_day"] == {"value": 4.0, "source": "project"}
    assert stated["assumptions"]["handling_seconds"] == {"value": 600.0, "source": "stated"}
    assert stated["locales"][0]["contributor_hours_needed"] == 3.0
    assert stats["manpower"] == forecast


def test_the_forecast_measures_handling_once_answers_come_and_is_understaffed_when_the_pool_is_short(
    admin, users, cluster
):
    skill = _skill()
    deadline = datetime.now(UTC) + timedelta(hours=2)
    project = create_project(
        admin, required_skills=[skill], deadline=deadline.isoformat(), planned_handling_seconds=1.0
    )
    import_tasks(admin, project["id"], [{"data": {"n": n}} for n in range(11)])
    queue = activate(admin, project["id"])["labeling"]
    work_one(_speaker(users, cluster, skill, "en"), queue, seconds=3600)

    forecast = admin.get(f"/api/v1/projects/{project['id']}/forecast").json()

    (only,) = forecast["locales"]
    # 10 answers left at the measured hour each, 6 hours a day, in two hours: far more than one person.
    assert forecast["assumptions"]["handling_seconds"] == {"value": 3600.0, "source": "measured"}
    assert forecast["assumptions"]["hours_per_day"] == {"value": 6.0, "source": "default"}
    assert (only["locale"], only["labeling_units_left"], only["contributor_hours_needed"]) == (None, 10, 10.0)
    assert (only["eligible_pool"], only["status"]) == (1, "understaffed")
    assert only["headcount_needed"] == pytest.approx(10 / (6 * 2 / 24), abs=1)


def test_production_is_measured_per_task_locale(admin, users, cluster):
    skill = _skill()
    vendor_id = 770_000 + int(uuid.uuid4().int % 10_000)
    project = _locales_project(admin, skill, crowd_allowed=False, allowed_vendors=[vendor_id])
    import_tasks(admin, project["id"], _rows({"en-US": 1, "ja-JP": 1}))
    queue = activate(admin, project["id"])["labeling"]
    for code in ("en", "ja"):
        staff = worker(
            users,
            cluster,
            vendor_id=vendor_id,
            skills=[skill],
            languages=[{"code": code, "proficiency": "native"}],
        )
        work_one(staff, queue)

    items = admin.get("/api/v1/production", params={"vendor_id": vendor_id}).json()["items"]

    assert sorted((i["language"], i["accepted_units"]) for i in items) == [("en-US", 1), ("ja-JP", 1)]


def test_a_reviewer_reviews_answers_in_the_languages_it_speaks(admin, users, cluster):
    skill = _skill()
    project = _locales_project(admin, skill, review_ratio=1.0)
    import_tasks(admin, project["id"], _rows({"en-US": 1, "ja-JP": 1}))
    queues = activate(admin, project["id"])
    for code in ("en", "ja"):
        work_one(_speaker(users, cluster, skill, code), queues["labeling"])
    reviewer = _speaker(users, cluster, skill, "ja")
    granted = admin.post(
        f"/api/v1/queues/{queues['review']}/permissions",
        json={"contributor_id": reviewer.contributor_id, "role": "reviewer"},
    )
    assert granted.status_code == 201, granted.text

    first = reviewer.post(f"/api/v1/queues/{queues['review']}/next")
    reviewed = reviewer.post(
        "/api/v1/reviews", json={"submission_id": first.json()["submission_id"], "verdict": "accept"}
    )
    second = reviewer.post(f"/api/v1/queues/{queues['review']}/next")

    assert first.status_code == 200 and first.json()["task"]["data"]["locale"] == "ja-JP"
    assert reviewed.status_code in (200, 201), reviewed.text
    assert second.status_code == 204
