"""Vetted-staff-only projects through the gateway: the setting, and who `next` serves on such a project.

The eligibility tests need the vetting facts in the hot path (the `vendor_staff` and `vetted` lease
preconditions, services/tasks/assignment/preconditions.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.services.contributors.support import activate as activate_contributor
from tests.services.contributors.support import new_contributor
from tests.services.tasks.helpers import active_project, create_project, project_body, worker
from tests.support.waiting import eventually

VENDOR = 7171


def _next(client, queue_id):
    return client.post(f"/api/v1/queues/{queue_id}/next")


def _in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _vetted_project(admin, **overrides):
    settings = dict(content_severity="high", vetted_staff_only=True, allowed_vendors=[VENDOR])
    return active_project(admin, tasks=2, **(settings | overrides))


def _profile_of(admin, contributor_id):
    response = admin.get(f"/api/v1/contributor-profiles/{contributor_id}")
    return response.json() if response.status_code == 200 else None


def test_a_high_severity_project_can_be_vetted_staff_only(admin):
    project = create_project(admin, content_severity="high", vetted_staff_only=True)

    assert project["vetted_staff_only"] is True
    assert admin.get(f"/api/v1/projects/{project['id']}").json()["vetted_staff_only"] is True


def test_projects_are_open_beyond_vetted_staff_by_default(admin):
    assert create_project(admin, content_severity="high")["vetted_staff_only"] is False


@pytest.mark.parametrize("severity", ["none", "low", "medium"])
def test_a_vetted_staff_only_project_below_high_severity_is_422_naming_the_field(admin, severity):
    body = {
        "name": "p",
        "task_type": "t",
        "label_schema": {"type": "text", "max_length": 5},
        "content_severity": severity,
        "vetted_staff_only": True,
    }

    response = admin.post("/api/v1/projects", json=body)

    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["vetted_staff_only"]


def test_a_vetted_staff_only_project_does_not_allow_or_grant_the_crowd(admin):
    project, queues = _vetted_project(admin)

    grants = admin.get(f"/api/v1/queues/{queues['labeling']}/permissions").json()["items"]

    assert project["crowd_allowed"] is False
    assert [(g["vendor_id"], g["crowd"]) for g in grants] == [(VENDOR, False)]


def test_allowing_the_crowd_on_a_vetted_staff_only_project_is_422_naming_crowd_allowed(admin):
    created = admin.post(
        "/api/v1/projects",
        json=project_body(content_severity="high", vetted_staff_only=True, crowd_allowed=True),
    )
    project = create_project(admin, content_severity="high", vetted_staff_only=True)
    patched = admin.patch(
        f"/api/v1/projects/{project['id']}",
        json={"crowd_allowed": True},
        headers={"If-Match": f'"{project["id"]}-1"'},
    )

    for response in (created, patched):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["crowd_allowed"]


def test_the_setting_is_changed_under_if_match_on_high_severity_projects_only(admin):
    high = create_project(admin, content_severity="high")
    medium = create_project(admin, content_severity="medium")

    turned_on = admin.patch(
        f"/api/v1/projects/{high['id']}",
        json={"vetted_staff_only": True},
        headers={"If-Match": f'"{high["id"]}-1"'},
    )
    refused = admin.patch(
        f"/api/v1/projects/{medium['id']}",
        json={"vetted_staff_only": True},
        headers={"If-Match": f'"{medium["id"]}-1"'},
    )

    assert turned_on.status_code == 200 and turned_on.json()["vetted_staff_only"] is True
    assert (high["crowd_allowed"], turned_on.json()["crowd_allowed"]) == (True, False)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["vetted_staff_only"]


def test_only_vetted_vendor_staff_get_work_on_a_vetted_staff_only_project(admin, ops, users):
    """The whole path: ops vet a vendor's staffer in contributors, the event reaches tasks, `next` serves."""
    _, queues = _vetted_project(admin)
    staffer = new_contributor(ops, vendor_id=VENDOR)
    activate_contributor(ops, staffer["id"])
    client = users.create("contributor", contributor_id=staffer["id"], vendor_id=VENDOR)
    eventually(lambda: (_profile_of(admin, staffer["id"]) or {}).get("status") == "active")

    before = _next(client, queues["labeling"])
    vetted = ops.post(f"/api/v1/contributors/{staffer['id']}/vetting", json={"expires_at": _in_days(30)})
    eventually(lambda: (_profile_of(admin, staffer["id"]) or {}).get("vetting"))
    after = _next(client, queues["labeling"])

    assert (before.status_code, before.headers.get("LabelOps-Queue-Reason")) == (204, "not_vetted")
    assert vetted.status_code == 200
    assert after.status_code == 200, after.text
    assert after.json()["task"]["data"] in ({"n": 0}, {"n": 1})


def test_a_vetted_crowd_contributor_granted_by_hand_is_not_eligible(admin, users, cluster):
    _, queues = _vetted_project(admin)
    crowd = worker(users, cluster, vetting={"expires_at": None})
    granted = admin.post(
        f"/api/v1/queues/{queues['labeling']}/permissions",
        json={"contributor_id": crowd.contributor_id, "role": "labeler"},
    )

    response = _next(crowd, queues["labeling"])

    assert granted.status_code == 201, granted.text

    assert (response.status_code, response.headers["LabelOps-Queue-Reason"]) == (204, "not_vetted")


def test_vendor_staff_whose_vetting_lapsed_are_not_eligible(admin, users, cluster):
    _, queues = _vetted_project(admin)
    lapsed = worker(users, cluster, vendor_id=VENDOR, vetting={"expires_at": "2026-01-01T00:00:00Z"})
    current = worker(users, cluster, vendor_id=VENDOR, vetting={"expires_at": _in_days(1)})

    assert _next(lapsed, queues["labeling"]).headers["LabelOps-Queue-Reason"] == "not_vetted"
    assert _next(current, queues["labeling"]).status_code == 200


def test_a_high_severity_project_without_the_setting_serves_unvetted_crowd(admin, users, cluster):
    _, queues = active_project(admin, tasks=1, content_severity="high")
    crowd = worker(users, cluster)

    assert _next(crowd, queues["labeling"]).status_code == 200
