"""How many tasks a contributor may hold at once (max_live_leases): 1 by default, a few for batch screens."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.services.tasks.helpers import active_project, worker
from tests.support.sql import query


def _next(client, queue_id):
    return client.post(f"/api/v1/queues/{queue_id}/next")


def _live_leases(databases, queue_id, contributor_id):
    return query(
        databases.urls["tasks"],
        "SELECT task_id, lease_slot FROM assignments"
        " WHERE queue_id = :q AND contributor_id = :c AND status = 'leased'",
        q=queue_id,
        c=contributor_id,
    )


def _contributor_id(client):
    return client.get("/api/v1/auth/me").json()["contributor_id"]


def test_a_contributor_holds_up_to_the_cap_then_gets_lease_limit(admin, users, cluster):
    _, queues = active_project(admin, tasks=5, max_live_leases=3)
    alice = worker(users, cluster)

    leases = [_next(alice, queues["labeling"]) for _ in range(3)]
    refused = _next(alice, queues["labeling"])

    assert [r.status_code for r in leases] == [200, 200, 200]
    assert len({r.json()["task"]["id"] for r in leases}) == 3
    assert refused.status_code == 204
    assert refused.headers["LabelOps-Queue-Reason"] == "lease_limit"
    assert int(refused.headers["Retry-After"]) >= 1


def test_finishing_one_lease_frees_its_slot(admin, users, cluster, databases):
    _, queues = active_project(admin, tasks=5, max_live_leases=2)
    alice = worker(users, cluster)
    first, second = (_next(alice, queues["labeling"]).json() for _ in range(2))

    submitted = alice.post(
        f"/api/v1/assignments/{first['assignment_id']}/submit",
        json={"answer": "cat", "time_spent_seconds": 5},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    alice.post(f"/api/v1/assignments/{second['assignment_id']}/release")
    third, fourth = (_next(alice, queues["labeling"]) for _ in range(2))

    assert submitted.status_code == 201
    assert (third.status_code, fourth.status_code) == (200, 200)
    held = _live_leases(databases, queues["labeling"], _contributor_id(alice))
    assert sorted(r["lease_slot"] for r in held) == [0, 1]
    # A released task is never offered to the same contributor again.
    assert second["task"]["id"] not in {third.json()["task"]["id"], fourth.json()["task"]["id"]}


def test_with_the_default_cap_a_repeated_next_returns_the_held_lease(admin, users, cluster):
    project, queues = active_project(admin, tasks=3)
    alice = worker(users, cluster)

    first, again = _next(alice, queues["labeling"]), _next(alice, queues["labeling"])

    assert project["max_live_leases"] == 1
    assert again.json()["assignment_id"] == first.json()["assignment_id"]


def test_the_cap_is_validated_naming_the_field(admin):
    for bad in (0, 51, "two"):
        response = admin.post(
            "/api/v1/projects",
            json={
                "name": "cap",
                "task_type": "classification",
                "label_schema": {"type": "choices", "choices": ["cat", "dog"]},
                "max_live_leases": bad,
            },
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "max_live_leases"


def test_lowering_the_cap_keeps_held_leases_and_grants_no_new_one(admin, users, cluster, databases):
    project, queues = active_project(admin, tasks=5, max_live_leases=3)
    alice = worker(users, cluster)
    held = [_next(alice, queues["labeling"]).json() for _ in range(2)]
    current = admin.get(f"/api/v1/projects/{project['id']}")

    lowered = admin.patch(
        f"/api/v1/projects/{project['id']}",
        json={"max_live_leases": 1},
        headers={"If-Match": current.headers["ETag"]},
    )
    again = _next(alice, queues["labeling"])
    submitted = alice.post(
        f"/api/v1/assignments/{held[1]['assignment_id']}/submit",
        json={"answer": "cat", "time_spent_seconds": 5},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )

    assert lowered.status_code == 200 and lowered.json()["max_live_leases"] == 1
    # At a cap of 1 a repeated next returns the first lease held, as for any single-lease project.
    assert again.status_code == 200 and again.json()["assignment_id"] == held[0]["assignment_id"]
    assert submitted.status_code == 201
    assert len(_live_leases(databases, queues["labeling"], _contributor_id(alice))) == 1


async def _burst(base_url: str, headers: dict, queue_id: int, calls: int) -> list[int]:
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as client:
        answers = await asyncio.gather(
            *(client.post(f"/api/v1/queues/{queue_id}/next") for _ in range(calls))
        )
    return [a.status_code for a in answers]


def test_concurrent_nexts_of_one_contributor_never_exceed_the_cap(admin, users, cluster, databases):
    _, queues = active_project(admin, tasks=40, max_live_leases=3)
    alice = worker(users, cluster)

    statuses = asyncio.run(_burst(cluster.gateway_url, dict(alice.headers), queues["labeling"], 24))

    held = _live_leases(databases, queues["labeling"], _contributor_id(alice))
    assert set(statuses) <= {200, 204}
    assert len(held) == 3 and sorted(r["lease_slot"] for r in held) == [0, 1, 2]
    assert len({r["task_id"] for r in held}) == 3
    tasks = query(
        databases.urls["tasks"],
        "SELECT sum(assigned_count) AS n FROM tasks WHERE project_id = (SELECT project_id FROM queues WHERE id = :q)",
        q=queues["labeling"],
    )
    assert tasks[0]["n"] == 3
