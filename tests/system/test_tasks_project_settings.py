"""Project settings under If-Match, daily quota, versioned guidelines and import batches, through the gateway."""

from __future__ import annotations

import uuid

import pytest

from tests.services.tasks.helpers import (
    active_project,
    create_project,
    import_tasks,
    next_id,
    project_body,
    worker,
)


def _patch(admin, project_id, body, etag=None):
    headers = {"If-Match": etag} if etag is not None else {}
    return admin.patch(f"/api/v1/projects/{project_id}", json=body, headers=headers)


def test_a_project_read_carries_an_etag(admin):
    project = create_project(admin)

    response = admin.get(f"/api/v1/projects/{project['id']}")

    assert response.headers["etag"] == f'"{project["id"]}-1"'


def test_an_update_with_the_current_etag_applies_and_moves_the_etag(admin):
    project = create_project(admin)
    etag = admin.get(f"/api/v1/projects/{project['id']}").headers["etag"]

    response = _patch(admin, project["id"], {"name": "renamed", "daily_quota": 40}, etag)

    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["daily_quota"]) == ("renamed", 40)
    assert response.headers["etag"] != etag
    assert admin.get(f"/api/v1/projects/{project['id']}").json()["daily_quota"] == 40


def test_an_update_without_if_match_is_428(admin):
    project = create_project(admin)

    assert _patch(admin, project["id"], {"name": "x"}).status_code == 428


def test_an_update_with_a_stale_etag_is_412_and_changes_nothing(admin):
    project = create_project(admin)
    stale = admin.get(f"/api/v1/projects/{project['id']}").headers["etag"]
    _patch(admin, project["id"], {"name": "first"}, stale)

    response = _patch(admin, project["id"], {"name": "second"}, stale)

    assert response.status_code == 412
    assert admin.get(f"/api/v1/projects/{project['id']}").json()["name"] == "first"


def test_a_transition_moves_the_etag(admin):
    project = create_project(admin)
    before = admin.get(f"/api/v1/projects/{project['id']}").headers["etag"]

    moved = admin.post(f"/api/v1/projects/{project['id']}/transitions", json={"to": "active"})

    assert moved.headers["etag"] != before
    assert _patch(admin, project["id"], {"name": "late"}, before).status_code == 412


def test_the_daily_quota_is_stored_at_creation_and_can_be_cleared(admin):
    project = create_project(admin, daily_quota=25)
    etag = admin.get(f"/api/v1/projects/{project['id']}").headers["etag"]

    cleared = _patch(admin, project["id"], {"daily_quota": None}, etag)

    assert project["daily_quota"] == 25
    assert cleared.json()["daily_quota"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"daily_quota": 0}, "daily_quota"),
        ({"name": None}, "name"),
        ({"overlap": 3}, "overlap"),
        ({"ends_at": "2026-01-01T00:00:00Z", "starts_at": "2026-02-01T00:00:00Z"}, "ends_at"),
        # Numbers are JSON numbers: lax parsing would store false as 0.0 and "600" as 600.
        ({"min_quality": False}, "min_quality"),
        ({"gold_ratio": True}, "gold_ratio"),
        ({"lease_seconds": "600"}, "lease_seconds"),
    ],
)
def test_a_bad_update_is_422_naming_the_field(admin, body, field):
    project = create_project(admin)
    etag = admin.get(f"/api/v1/projects/{project['id']}").headers["etag"]

    response = _patch(admin, project["id"], body, etag)

    assert response.status_code == 422, response.text
    assert field in {e.get("field") or str(e.get("loc", [""])[-1]) for e in response.json()["errors"]}


def test_a_bad_body_is_422_even_with_a_stale_if_match(admin):
    project = create_project(admin)

    response = _patch(admin, project["id"], {"min_quality": False}, '"0-0"')

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("field", "value"), [("overlap", True), ("review_ratio", "0.5"), ("daily_quota", 2.5)]
)
def test_a_number_that_is_not_a_json_number_at_creation_is_422(admin, field, value):
    response = admin.post("/api/v1/projects", json=project_body(**{field: value}))

    assert response.status_code == 422, response.text
    assert field in {str(e.get("field") or e.get("loc", [""])[-1]) for e in response.json()["errors"]}


def test_a_negative_daily_quota_at_creation_is_422(admin):
    response = admin.post(
        "/api/v1/projects",
        json={
            "name": "p",
            "task_type": "t",
            "label_schema": {"type": "text", "max_length": 5},
            "daily_quota": -1,
        },
    )

    assert response.status_code == 422


def test_analysts_cannot_update_projects(admin, users):
    project = create_project(admin)
    etag = admin.get(f"/api/v1/projects/{project['id']}").headers["etag"]

    assert _patch(users.create("analyst"), project["id"], {"name": "x"}, etag).status_code == 403


def test_guidelines_are_versioned_and_the_latest_is_served(admin):
    project = create_project(admin)
    base = f"/api/v1/projects/{project['id']}/guidelines"

    first = admin.post(base, json={"body": "# Cats\nLabel cats."})
    second = admin.post(base, json={"body": "# Cats\nLabel cats and kittens."})

    assert (first.status_code, first.json()["version"], second.json()["version"]) == (201, 1, 2)
    assert admin.get(base).json()["body"] == "# Cats\nLabel cats and kittens."
    assert [v["version"] for v in admin.get(base + "/versions").json()["items"]] == [1, 2]
    assert admin.get(base + "/versions/1").json()["body"] == "# Cats\nLabel cats."


def test_guidelines_of_a_project_without_any_are_404(admin):
    project = create_project(admin)
    base = f"/api/v1/projects/{project['id']}/guidelines"

    assert (admin.get(base).status_code, admin.get(base + "/versions/3").status_code) == (404, 404)


def test_empty_guidelines_are_422(admin):
    project = create_project(admin)

    response = admin.post(f"/api/v1/projects/{project['id']}/guidelines", json={"body": ""})

    assert response.status_code == 422


def test_only_ops_and_admins_publish_guidelines(admin, users, cluster):
    project = create_project(admin)
    base = f"/api/v1/projects/{project['id']}/guidelines"

    assert users.create("analyst").post(base, json={"body": "x"}).status_code == 403
    assert worker(users, cluster).post(base, json={"body": "x"}).status_code == 403


def _with_guidelines(admin, **project):
    """An active project whose guidelines have two versions; returns (project, queues)."""
    created, queues = active_project(admin, tasks=1, **project)
    for body in ("# Cats\nLabel cats.", "# Cats\nLabel cats and kittens."):
        assert (
            admin.post(f"/api/v1/projects/{created['id']}/guidelines", json={"body": body}).status_code == 201
        )
    return created, queues


def _guideline_reads(client, project_id):
    base = f"/api/v1/projects/{project_id}/guidelines"
    return [client.get(base), client.get(base + "/versions"), client.get(base + "/versions/1")]


@pytest.mark.parametrize("grant", ["crowd", "direct", "vendor", "reviewer"])
def test_a_contributor_with_a_live_grant_reads_the_guidelines_and_their_versions(
    admin, users, cluster, grant
):
    vendor_id = 700_000 + next_id() % 100_000
    project, queues = _with_guidelines(
        admin, crowd_allowed=grant == "crowd", allowed_vendors=[vendor_id] if grant == "vendor" else []
    )
    alice = worker(users, cluster, vendor_id=vendor_id if grant == "vendor" else None)
    if grant in ("direct", "reviewer"):
        queue = queues["review"] if grant == "reviewer" else queues["labeling"]
        role = "reviewer" if grant == "reviewer" else "labeler"
        admin.post(
            f"/api/v1/queues/{queue}/permissions", json={"contributor_id": alice.contributor_id, "role": role}
        )

    latest, versions, first = _guideline_reads(alice, project["id"])

    assert (latest.status_code, versions.status_code, first.status_code) == (200, 200, 200)
    assert latest.json()["body"] == "# Cats\nLabel cats and kittens."
    assert [v["version"] for v in versions.json()["items"]] == [1, 2]
    assert first.json()["body"] == "# Cats\nLabel cats."


def test_a_contributor_without_a_grant_gets_404_as_for_a_missing_project(admin, users, cluster):
    project, _ = _with_guidelines(admin, crowd_allowed=False)
    outsider = worker(users, cluster)

    reads = _guideline_reads(outsider, project["id"])
    missing = _guideline_reads(outsider, 987654321)

    assert [r.status_code for r in reads] == [404, 404, 404]
    assert [r.json()["detail"] for r in reads] == [
        m.json()["detail"].replace("987654321", str(project["id"])) for m in missing
    ]


def test_another_vendors_contributor_cannot_read_the_guidelines(admin, users, cluster):
    vendor_id = 800_000 + next_id() % 100_000
    project, _ = _with_guidelines(admin, crowd_allowed=False, allowed_vendors=[vendor_id])

    other = worker(users, cluster, vendor_id=vendor_id + 1)

    assert [r.status_code for r in _guideline_reads(other, project["id"])] == [404, 404, 404]


def test_a_revoked_grant_ends_the_contributors_access_to_the_guidelines(admin, users, cluster):
    project, queues = _with_guidelines(admin, crowd_allowed=False)
    alice = worker(users, cluster)
    grant = admin.post(
        f"/api/v1/queues/{queues['labeling']}/permissions", json={"contributor_id": alice.contributor_id}
    ).json()
    assert _guideline_reads(alice, project["id"])[0].status_code == 200

    admin.delete(f"/api/v1/queues/{queues['labeling']}/permissions/{grant['id']}")

    assert _guideline_reads(alice, project["id"])[0].status_code == 404


def test_a_crowd_project_in_draft_has_no_grants_so_contributors_cannot_read_its_guidelines(
    admin, users, cluster
):
    project = create_project(admin)
    admin.post(f"/api/v1/projects/{project['id']}/guidelines", json={"body": "# Draft"})

    assert _guideline_reads(worker(users, cluster), project["id"])[0].status_code == 404


def test_each_import_is_a_batch_with_its_counts(admin, users, cluster):
    project, queues = active_project(admin, tasks=0)
    named = admin.post(
        f"/api/v1/projects/{project['id']}/tasks?batch_name=week%201",
        json=[{"data": {"n": 1}}, {"data": {"n": 2}, "gold_answer": "cat"}],
    ).json()
    unnamed = import_tasks(admin, project["id"], [{"data": {"n": 3}}])
    alice = worker(users, cluster)
    lease = alice.post(f"/api/v1/queues/{queues['labeling']}/next").json()
    alice.post(
        f"/api/v1/assignments/{lease['assignment_id']}/submit",
        json={"answer": "cat", "time_spent_seconds": 5},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )

    batches = admin.get(f"/api/v1/projects/{project['id']}/batches").json()["items"]

    assert [(b["id"], b["name"], b["tasks"], b["gold"]) for b in batches] == [
        (named["batch_id"], "week 1", 2, 1),
        (unnamed["batch_id"], None, 1, 0),
    ]
    assert sum(b["completed"] for b in batches) == 1


def test_a_too_long_batch_name_is_422(admin):
    project = create_project(admin)

    response = admin.post(
        f"/api/v1/projects/{project['id']}/tasks?batch_name={'x' * 201}", json=[{"data": {}}]
    )

    assert response.status_code == 422


def test_batches_of_a_missing_project_are_404(admin):
    assert admin.get("/api/v1/projects/987654321/batches").status_code == 404
