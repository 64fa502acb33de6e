"""Many concurrent workers through the gateway; afterwards the assignment invariants hold in the database."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.services.tasks.helpers import active_project, worker
from tests.support.sql import query

WORKERS = 32


async def _work(base_url: str, headers: dict, queue_id: int, accepted: list[int]) -> None:
    """Loop next -> submit until the queue is exhausted; every other submit is sent twice with one key."""
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as client:
        for _ in range(500):
            response = await client.post(f"/api/v1/queues/{queue_id}/next")
            if response.status_code == 204:
                if response.headers["LabelOps-Queue-Reason"] == "exhausted":
                    return
                await asyncio.sleep(0.05)
                continue
            assert response.status_code == 200, response.text
            lease = response.json()
            key = uuid.uuid4().hex
            url = f"/api/v1/assignments/{lease['assignment_id']}/submit"
            body = {"answer": "cat", "time_spent_seconds": 3}
            sends = 2 if lease["assignment_id"] % 2 else 1
            answers = await asyncio.gather(
                *(client.post(url, json=body, headers={"Idempotency-Key": key}) for _ in range(sends))
            )
            ok = [a for a in answers if a.status_code == 201]
            assert ok, [a.text for a in answers]
            assert len({a.json()["id"] for a in ok}) == 1
            accepted.append(ok[0].json()["id"])
        raise AssertionError("worker did not finish")


async def _run_all(base_url: str, clients: list[httpx.Client], queue_id: int) -> list[int]:
    accepted: list[int] = []
    await asyncio.gather(*(_work(base_url, dict(c.headers), queue_id, accepted) for c in clients))
    return accepted


@pytest.fixture(scope="module")
def crowd(users, cluster) -> list[httpx.Client]:
    return [worker(users, cluster) for _ in range(WORKERS)]


@pytest.mark.parametrize(("overlap", "tasks"), [(1, 120), (3, 60)])
def test_concurrent_workers_never_break_the_assignment_invariants(
    admin, cluster, databases, crowd, overlap, tasks
):
    project, queues = active_project(admin, tasks=tasks, overlap=overlap)

    accepted = asyncio.run(_run_all(cluster.gateway_url, crowd, queues["labeling"]))

    url, pid = databases.urls["tasks"], project["id"]
    over = query(url, "SELECT id FROM tasks WHERE project_id = :p AND assigned_count > overlap", p=pid)
    twice = query(
        url,
        "SELECT task_id, contributor_id FROM assignments WHERE project_id = :p"
        " GROUP BY task_id, contributor_id HAVING count(*) > 1",
        p=pid,
    )
    per_task = query(
        url,
        "SELECT t.id, t.overlap, count(s.id) AS n FROM tasks t LEFT JOIN submissions s ON s.task_id = t.id"
        " WHERE t.project_id = :p GROUP BY t.id, t.overlap",
        p=pid,
    )
    stored = {r["id"] for r in query(url, "SELECT id FROM submissions WHERE project_id = :p", p=pid)}
    assert (over, twice) == ([], [])
    assert all(r["n"] == r["overlap"] for r in per_task)  # every unit done, none beyond the overlap
    assert sorted(accepted) == sorted(stored)  # nothing lost, nothing duplicated
    assert len(stored) == tasks * overlap
