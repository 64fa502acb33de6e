"""Faults under the assignment loop: a bad row is an error, not a queue reason; terminated database backends
cost 503s with Retry-After while they last, nothing after, and no submission is lost."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import httpx
import pytest
from sqlalchemy import make_url

from tests.services.tasks.helpers import active_project, execute, worker
from tests.support.databases import BACKEND, PG_URL
from tests.support.sql import query

# From the end of the terminate to the last 503: connections the server closed are replaced at checkout,
# so only statements in flight at that moment fail. On a quiet machine the last 503 comes within
# milliseconds; the bound leaves room for a loaded CI machine, where one request can take seconds.
RECOVERY_SECONDS = 5.0


def _refuse_assignments_of(url: str, contributor_id: int) -> str:
    """A trigger that fails every assignment insert for one contributor as an integrity error (a bad row no
    race explains); returns the statement that drops it."""
    name = f"lo_test_refuse_{contributor_id}"
    if BACKEND == "postgresql":
        execute(
            url,
            f"CREATE FUNCTION {name}() RETURNS trigger AS 'BEGIN RAISE EXCEPTION ''a bad row'' "
            "USING ERRCODE = ''check_violation''; END' LANGUAGE plpgsql",
        )
        execute(
            url,
            f"CREATE TRIGGER {name} BEFORE INSERT ON assignments FOR EACH ROW "
            f"WHEN (NEW.contributor_id = {contributor_id}) EXECUTE FUNCTION {name}()",
        )
        return f"DROP FUNCTION {name} CASCADE"
    execute(
        url,
        f"CREATE TRIGGER {name} BEFORE INSERT ON assignments WHEN NEW.contributor_id = {contributor_id} "
        "BEGIN SELECT RAISE(ABORT, 'a bad row'); END",
    )
    return f"DROP TRIGGER {name}"


def test_an_integrity_error_while_leasing_is_answered_as_an_error_not_a_queue_reason(
    admin, users, cluster, databases
):
    _, queues = active_project(admin, tasks=2)
    alice, bob = worker(users, cluster), worker(users, cluster)
    url = databases.urls["tasks"]
    drop = _refuse_assignments_of(url, alice.contributor_id)
    try:
        refused = alice.post(f"/api/v1/queues/{queues['labeling']}/next")
        others = bob.post(f"/api/v1/queues/{queues['labeling']}/next")
    finally:
        execute(url, drop)

    assert refused.status_code == 500, refused.text
    assert "LabelOps-Queue-Reason" not in refused.headers
    assert refused.headers["content-type"] == "application/problem+json"
    assert "a bad row" in cluster.log_text("tasks")
    assert others.status_code == 200


async def _terminate_backends(database: str) -> int:
    admin = await asyncpg.connect(PG_URL)
    try:
        rows = await admin.fetch(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await admin.close()
    return len(rows)


def _noting(client: httpx.AsyncClient, seen: list, until: float):
    """A caller that notes every answer with its time and retries a 503 (a submit with the same
    Idempotency-Key) until it is answered otherwise or well after the load ends."""

    async def call(method: str, url: str, **kw) -> httpx.Response:
        while True:
            response = await client.request(method, url, **kw)
            seen.append((time.monotonic(), response.status_code, response.headers.get("retry-after")))
            if response.status_code != 503 or time.monotonic() > until + 10:
                return response
            await asyncio.sleep(0.05)

    return call


async def _label(client: httpx.AsyncClient, queue_id: int, until: float, seen: list, created: set) -> None:
    """next -> submit loops on the raw hot path."""
    call = _noting(client, seen, until)
    while time.monotonic() < until:
        lease = await call("POST", f"/api/v1/queues/{queue_id}/next")
        if lease.status_code != 200:
            await asyncio.sleep(0.02)
            continue
        submitted = await call(
            "POST",
            f"/api/v1/assignments/{lease.json()['assignment_id']}/submit",
            json={"answer": "cat", "time_spent_seconds": 3},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        if submitted.status_code == 201:
            created.add(submitted.json()["id"])


async def _read(client: httpx.AsyncClient, project_id: int, until: float, seen: list) -> None:
    """Project reads on the ORM path."""
    call = _noting(client, seen, until)
    while time.monotonic() < until:
        await call("GET", f"/api/v1/projects/{project_id}")


@pytest.mark.skipif(BACKEND != "postgresql", reason="terminates PostgreSQL backends")
def test_terminated_database_backends_cost_at_most_503s_and_the_service_recovers(
    admin, users, cluster, databases
):
    project, queues = active_project(admin, tasks=2000)
    workers = [worker(users, cluster) for _ in range(6)]
    database = make_url(databases.urls["tasks"]).database
    seen: list[tuple[float, int, str | None]] = []
    created: set[int] = set()

    async def run() -> tuple[float, int]:
        until = time.monotonic() + 8.0
        clients = [
            httpx.AsyncClient(base_url=cluster.gateway_url, headers=dict(w.headers), timeout=30)
            for w in [admin, *workers]
        ]
        loops = [asyncio.create_task(_read(clients[0], project["id"], until, seen))] + [
            asyncio.create_task(_label(c, queues["labeling"], until, seen, created)) for c in clients[1:]
        ]
        await asyncio.sleep(1.5)
        terminated = await _terminate_backends(database)
        terminated_at = time.monotonic()
        await asyncio.gather(*loops)
        for c in clients:
            await c.aclose()
        return terminated_at, terminated

    terminated_at, terminated = asyncio.run(run())

    statuses = {status for _, status, _ in seen}
    unavailable = [(at, retry) for at, status, retry in seen if status == 503]
    assert terminated > 0
    assert statuses <= {200, 201, 204, 503}, (sorted(statuses), cluster.log_text("tasks")[-6000:])
    assert all(retry and int(retry) > 0 for _, retry in unavailable)
    assert all(at - terminated_at <= RECOVERY_SECONDS for at, _ in unavailable)
    assert any(at > terminated_at + RECOVERY_SECONDS and status == 200 for at, status, _ in seen)
    stored = query(
        databases.urls["tasks"],
        "SELECT count(*) AS n FROM submissions WHERE project_id = :p",
        p=project["id"],
    )[0]["n"]
    assert stored == len(created)
