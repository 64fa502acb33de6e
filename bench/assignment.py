"""Assignment benchmark: the real processes on fresh PostgreSQL databases, driven through the gateway.

    python -m bench.assignment            # full run (a few minutes)
    python -m bench.assignment --quick    # a short smoke run

Phases: a project of 20,000 tasks at overlap 1 and then overlap 3; 64 contributors with permissions;
C = 1, 8, 32, 64 concurrent workers each looping next -> submit for a fixed time; a project of 20,000
tasks in three locales, each contributor speaking one (C = 8, 32); then a bulk import of 100,000 tasks and
GET /projects/{id}/stats on an active crowd project of 1,000,000 tasks beside 10,000 contributor profiles.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections import Counter

import asyncpg
import httpx
import orjson
import uvloop

from bench.cluster import bench_cluster
from bench.http1 import Connection
from tests.services.tasks.helpers import upsert_profile
from tests.support.api import Users
from tests.support.cluster import Cluster

CONTRIBUTORS = 64
# Contributor profiles beside the stats project (a large crowd), seeded in SQL.
CROWD = 10_000
LEVELS = (1, 8, 32, 64)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Worker:
    def __init__(self, connection: Connection, queue_id: int):
        self.connection = connection
        self.queue_id = queue_id
        self.next_ms: list[float] = []
        self.cycles = 0
        self.errors = 0
        self.error_kinds: Counter[str] = Counter()
        self.acked: list[int] = []

    def _error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] += 1

    async def loop(self, until: float) -> None:
        while time.perf_counter() < until:
            start = time.perf_counter()
            try:
                leased = await self.connection.request("POST", f"/api/v1/queues/{self.queue_id}/next")
            except ConnectionError as exc:
                self._error(type(exc).__name__)
                return
            self.next_ms.append((time.perf_counter() - start) * 1000)
            if leased.status == 204:
                if leased.headers.get(b"labelops-queue-reason") == b"exhausted":
                    return
                await asyncio.sleep(0.01)
                continue
            if leased.status != 200:
                self._error(f"next {leased.status}")
                continue
            lease = orjson.loads(leased.body)
            try:
                submitted = await self.connection.request(
                    "POST",
                    f"/api/v1/assignments/{lease['assignment_id']}/submit",
                    body=orjson.dumps({"answer": "cat", "time_spent_seconds": 7}),
                    headers={"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "application/json"},
                )
            except ConnectionError as exc:
                self._error(type(exc).__name__)
                return
            if submitted.status != 201:
                self._error(f"submit {submitted.status}")
                continue
            self.acked.append(orjson.loads(submitted.body)["id"])
            self.cycles += 1


async def run_level(gateway: str, tokens: list[str], queue_id: int, workers: int, seconds: float) -> dict:
    # A lean client (bench/http1.py): the load generator shares the two cores with what it measures.
    connections = [
        await Connection(gateway, {"Authorization": f"Bearer {t}"}).connect() for t in tokens[:workers]
    ]
    crew = [Worker(c, queue_id) for c in connections]
    start = time.perf_counter()
    await asyncio.gather(*(w.loop(start + seconds) for w in crew))
    elapsed = time.perf_counter() - start
    for c in connections:
        c.close()
    next_ms = [v for w in crew for v in w.next_ms]
    return {
        "workers": workers,
        "cycles": sum(w.cycles for w in crew),
        "cycles_per_s": sum(w.cycles for w in crew) / elapsed,
        "p50": _pct(next_ms, 0.5),
        "p95": _pct(next_ms, 0.95),
        "p99": _pct(next_ms, 0.99),
        "errors": sum(w.errors for w in crew),
        "error_kinds": sum((w.error_kinds for w in crew), Counter()),
        "acked": [a for w in crew for a in w.acked],
    }


async def run_levels(
    gateway: str,
    tokens: list[str],
    pg_tasks: str,
    project_id: int,
    queue_id: int,
    levels: tuple[int, ...],
    seconds: float,
    label: object,
) -> bool:
    """Each concurrency level in turn on one queue, printed as a row; whether an invariant broke."""
    failed = False
    acked: list[int] = []
    for level in levels:
        result = await run_level(gateway, tokens, queue_id, level, seconds)
        acked += result["acked"]
        dup, lost = await check_invariants(pg_tasks, project_id, acked)
        failed |= bool(dup or lost)
        print(
            f"{label:>7} {level:>3} {result['cycles_per_s']:>9.1f} {result['p50']:>7.1f}ms"
            f" {result['p95']:>5.1f}ms {result['p99']:>5.1f}ms {dup:>4} {lost:>5} {result['errors']:>6}",
            flush=True,
        )
        if result["errors"]:
            print(f"        errors by kind: {dict(result['error_kinds'])}", flush=True)
    return failed


async def check_invariants(pg_url: str, project_id: int, acked: list[int]) -> tuple[int, int]:
    """(duplicates, lost): tasks over overlap or a contributor twice on a task; acked submissions missing."""
    conn = await asyncpg.connect(pg_url)
    try:
        over = await conn.fetchval(
            "SELECT count(*) FROM tasks WHERE project_id = $1 AND assigned_count > overlap", project_id
        )
        twice = await conn.fetchval(
            "SELECT count(*) FROM (SELECT 1 FROM assignments WHERE project_id = $1"
            " GROUP BY task_id, contributor_id HAVING count(*) > 1) d",
            project_id,
        )
        beyond = await conn.fetchval(
            "SELECT count(*) FROM (SELECT s.task_id FROM submissions s JOIN tasks t ON t.id = s.task_id"
            " WHERE s.project_id = $1 GROUP BY s.task_id, t.overlap HAVING count(*) > t.overlap) d",
            project_id,
        )
        stored = {
            r[0] for r in await conn.fetch("SELECT id FROM submissions WHERE project_id = $1", project_id)
        }
    finally:
        await conn.close()
    lost = len(set(acked) - stored) + (len(acked) - len(set(acked)))
    return int(over + twice + beyond), lost


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short run: fewer tasks, 3 s per level")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per concurrency level")
    args = parser.parse_args()
    tasks_per_project = 2_000 if args.quick else 20_000
    seconds = args.seconds or (3.0 if args.quick else 12.0)
    import_rows = 20_000 if args.quick else 100_000
    stats_rows = 100_000 if args.quick else 1_000_000

    # PostgreSQL allows 100 connections: the tasks pool of 24 and three services at 16 stay below it.
    # The tasks pool is opened at start, as in deploy/k8s: otherwise the first level to need more
    # connections than the one before pays for their forks in its first quarter second.
    with bench_cluster(
        "labelops-bench-",
        LABELOPS_TASKS_DATABASE_POOL_SIZE="24",
        LABELOPS_TASKS_DATABASE_POOL_PREFILL="true",
    ) as (cluster, urls):
        return uvloop.run(_bench(cluster, urls, tasks_per_project, seconds, import_rows, stats_rows))


async def _bench(
    cluster: Cluster, urls: dict, tasks_per_project: int, seconds: float, import_rows: int, stats_rows: int
) -> int:
    gateway = cluster.gateway_url
    users = Users(gateway)
    admin = users.admin
    print(f"setting up {CONTRIBUTORS} contributors ...", flush=True)
    tokens = []
    base = 7_000_000
    for i in range(CONTRIBUTORS):
        upsert_profile(cluster, base + i)
        client = users.create("contributor", contributor_id=base + i)
        tokens.append(client.headers["Authorization"].split(" ", 1)[1])
    pg_tasks = _asyncpg_url(urls["tasks"])
    failed = False
    print(
        f"\n{'overlap':>7} {'C':>3} {'cycles/s':>9} {'next p50':>9} {'p95':>7} {'p99':>7} {'dup':>4} {'lost':>5} {'errors':>6}"
    )
    for overlap in (1, 3):
        project = admin.post(
            "/api/v1/projects",
            json={
                "name": f"bench overlap {overlap}",
                "task_type": "classification",
                "label_schema": {"type": "choices", "choices": ["cat", "dog"]},
                "overlap": overlap,
                "lease_seconds": 300,
            },
        ).json()
        rows = [{"data": {"text": f"item {i}"}, "priority": i % 3} for i in range(tasks_per_project)]
        imported = admin.post(f"/api/v1/projects/{project['id']}/tasks", json=rows, timeout=300).json()
        assert imported["imported"] == tasks_per_project, imported
        admin.post(f"/api/v1/projects/{project['id']}/transitions", json={"to": "active"})
        queue_id = {
            q["kind"]: q["id"] for q in admin.get(f"/api/v1/projects/{project['id']}/queues").json()["items"]
        }["labeling"]
        failed |= await run_levels(
            gateway, tokens, pg_tasks, project["id"], queue_id, LEVELS, seconds, overlap
        )

    # One project in three locales; the claim walks only the caller's language.
    project_id, queue_id = _locales_project(cluster, admin, base, tasks_per_project)
    failed |= await run_levels(gateway, tokens, pg_tasks, project_id, queue_id, (8, 32), seconds, "3 loc.")

    project = admin.post(
        "/api/v1/projects",
        json={
            "name": "bench import",
            "task_type": "classification",
            "label_schema": {"type": "choices", "choices": ["cat", "dog"]},
        },
    ).json()
    body = orjson.dumps(
        [{"data": {"text": f"row {i}", "source": "bench"}, "priority": i % 5} for i in range(import_rows)]
    )
    start = time.perf_counter()
    response = await asyncio.to_thread(
        httpx.post,
        f"{gateway}/api/v1/projects/{project['id']}/tasks",
        content=body,
        headers={**admin.headers, "Content-Type": "application/json"},
        timeout=600,
    )
    elapsed = time.perf_counter() - start
    assert response.status_code == 201 and response.json()["imported"] == import_rows, response.text[:500]
    print(f"\nbulk import: {import_rows:,} tasks in {elapsed:.2f} s = {import_rows / elapsed:,.0f} tasks/s")

    big = admin.post(
        "/api/v1/projects",
        json={
            "name": "bench stats",
            "task_type": "classification",
            "sla_turnaround_hours": 24,
            "label_schema": {"type": "choices", "choices": ["cat", "dog"]},
        },
    ).json()
    # Active, with the crowd granted: the stats' manpower forecast counts the eligible pool among every
    # contributor profile.
    admin.post(f"/api/v1/projects/{big['id']}/transitions", json={"to": "active"})
    conn = await asyncpg.connect(pg_tasks)
    try:
        await conn.execute(
            """
            INSERT INTO contributor_profiles (contributor_id, version, status, languages, skills, updated_at)
            SELECT 8000000 + g, 1, 'active', '[{"code": "en", "proficiency": "native"}]', '[]', now()
            FROM generate_series(1, $1) g
            """,
            CROWD,
        )
        await conn.execute(
            "INSERT INTO contributor_facts (contributor_id, kind, value, amount)"
            " SELECT 8000000 + g, 'language', 'en', 3 FROM generate_series(1, $1) g",
            CROWD,
        )
        # Seeding 1M rows through the API would take a minute of import; the figure measured is the read.
        await conn.execute(
            """
            INSERT INTO tasks (project_id, data, priority, rank, is_gold, overlap, assigned_count, completed_count,
                               created_at)
            SELECT $1, json_build_object('text', 'row ' || g), 0, 0, false, 1, 0, 0, now() - interval '1 day'
            FROM generate_series(1, $2) g
            """,
            big["id"],
            stats_rows,
        )
        await conn.execute(
            "INSERT INTO project_counters (project_id, shard, tasks_imported, tasks_completed, submissions,"
            " handling_seconds, gold_total, gold_correct, accepted, rejected, on_time, late)"
            " VALUES ($1, 0, $2, 0, 0, 0, 0, 0, 0, 0, 0, 0)",
            big["id"],
            stats_rows,
        )
        await conn.execute("ANALYZE tasks")
    finally:
        await conn.close()
    timings = []
    for _ in range(7):
        start = time.perf_counter()
        response = admin.get(f"/api/v1/projects/{big['id']}/stats")
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text[:300]
    print(
        f"project stats on {stats_rows:,} tasks and {CROWD:,} contributor profiles: median {statistics.median(timings):.1f} ms (min {min(timings):.1f} ms)"
    )
    return 1 if failed else 0


def _locales_project(
    cluster: Cluster, admin: httpx.Client, base: int, tasks_per_project: int
) -> tuple[int, int]:
    """One project in three locales, imported a locale at a time (so a locale's tasks lie together in
    claim order), each contributor speaking one of them; (project id, labeling queue id)."""
    locales = ("en-US", "de-DE", "ja-JP")
    for i in range(CONTRIBUTORS):
        language = locales[i % len(locales)].split("-")[0]
        upsert_profile(cluster, base + i, languages=[{"code": language, "proficiency": "native"}])
    project = admin.post(
        "/api/v1/projects",
        json={
            "name": "bench locales",
            "task_type": "classification",
            "label_schema": {"type": "choices", "choices": ["cat", "dog"]},
            "locales": list(locales),
            "lease_seconds": 300,
        },
    ).json()
    for locale in locales:
        rows = [
            {"data": {"text": f"item {i}"}, "priority": i % 3, "locale": locale}
            for i in range(tasks_per_project // len(locales))
        ]
        imported = admin.post(f"/api/v1/projects/{project['id']}/tasks", json=rows, timeout=300).json()
        assert imported["imported"] == len(rows), imported
    admin.post(f"/api/v1/projects/{project['id']}/transitions", json={"to": "active"})
    queues = admin.get(f"/api/v1/projects/{project['id']}/queues").json()["items"]
    return project["id"], {q["kind"]: q["id"] for q in queues}["labeling"]


if __name__ == "__main__":
    sys.exit(main())
