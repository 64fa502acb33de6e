"""Bounded loopback load run: the real processes on fresh PostgreSQL databases, driven through the gateway.

    python -m bench.load                  # 8 users for 30 s
    python -m bench.load --users 6 --seconds 10

Users mix three loops for a fixed time and then stop: contributors leasing and answering tasks
(next -> submit), ops staff reading (projects, stats, queues, tickets, vendors), and a VMS portal sending
signed vendor.updated webhooks. Afterwards the load tool's counts, the services' /metrics counter deltas
and the database must agree; the figures are printed and the exit status is 1 on any disagreement.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
import uuid
from collections import Counter

import aiohttp
import asyncpg
import httpx
import orjson

from bench.cluster import bench_cluster
from services.vendors.rules import webhooks as signatures
from tests.services.tasks.helpers import upsert_profile
from tests.support.api import Users
from tests.support.cluster import Cluster

TASKS = 5_000


def _counter(text: str, name: str, **labels: str) -> float:
    """The sum of `name` over the series carrying `labels` in one exposition."""
    total = 0.0
    for match in re.finditer(rf"^{name}\{{([^}}]*)\}} (\S+)$", text, flags=re.MULTILINE):
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(match.group(2))
    return total


def _metrics(cluster: Cluster) -> dict[str, str]:
    return {name: httpx.get(p.url + "/metrics", timeout=30).text for name, p in cluster.services.items()}


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.acked: list[int] = []


async def contributor_loop(session: aiohttp.ClientSession, queue_id: int, until: float, tally: Tally) -> None:
    while time.monotonic() < until:
        async with session.post(f"/api/v1/queues/{queue_id}/next") as response:
            status, body = response.status, await response.read()
        tally.counts[f"next {status}"] += 1
        if status != 200:
            await asyncio.sleep(0.05)
            continue
        lease = orjson.loads(body)
        async with session.post(
            f"/api/v1/assignments/{lease['assignment_id']}/submit",
            data=orjson.dumps({"answer": "cat", "time_spent_seconds": 7}),
            headers={"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "application/json"},
        ) as submitted:
            tally.counts[f"submit {submitted.status}"] += 1
            if submitted.status == 201:
                tally.acked.append(orjson.loads(await submitted.read())["id"])


async def ops_loop(session: aiohttp.ClientSession, project_id: int, until: float, tally: Tally) -> None:
    paths = (f"/api/v1/projects/{project_id}", f"/api/v1/projects/{project_id}/stats",
             f"/api/v1/projects/{project_id}/queues", "/api/v1/tickets", "/api/v1/vendors")  # fmt: skip
    while time.monotonic() < until:
        for path in paths:
            async with session.get(path) as response:
                await response.read()
                tally.counts[f"read {response.status}"] += 1


async def vms_loop(gateway: str, source: dict, vms_id: str, until: float, tally: Tally) -> None:
    async with aiohttp.ClientSession(base_url=gateway) as session:
        while time.monotonic() < until:
            body = orjson.dumps(
                {"type": "vendor.updated", "data": {"external_vms_id": vms_id, "skills": ["ner"]}}
            )
            headers = signatures.signed_headers(
                source["secret"], f"msg_{uuid.uuid4().hex}", int(time.time()), body
            )
            async with session.post(
                f"/api/v1/webhooks/vms/{source['source']}",
                data=body,
                headers={**headers, "content-type": "application/json"},
            ) as response:
                await response.read()
                tally.counts[f"webhook {response.status}"] += 1
            await asyncio.sleep(0.1)


async def drive(cluster: Cluster, users: int, seconds: float, tasks_url: str) -> int:
    gateway = cluster.gateway_url
    people = Users(gateway)
    admin = people.admin
    project = admin.post(
        "/api/v1/projects",
        json={"name": f"load {uuid.uuid4().hex[:6]}", "task_type": "classification",
              "label_schema": {"type": "choices", "choices": ["cat", "dog"]}, "lease_seconds": 300},
    ).json()  # fmt: skip
    rows = [{"data": {"n": i}} for i in range(TASKS)]
    assert admin.post(f"/api/v1/projects/{project['id']}/tasks", json=rows, timeout=300).status_code == 201
    admin.post(f"/api/v1/projects/{project['id']}/transitions", json={"to": "active"})
    queue_id = {
        q["kind"]: q["id"] for q in admin.get(f"/api/v1/projects/{project['id']}/queues").json()["items"]
    }["labeling"]
    vendor = admin.post(
        "/api/v1/vendors", json={"name": f"Load {uuid.uuid4().hex[:6]}", "country": "PH",
                                 "external_vms_id": f"ext-{uuid.uuid4().hex[:8]}"}
    ).json()  # fmt: skip
    source = admin.post(
        "/api/v1/webhooks/vms-sources",
        json={"source": f"vms-{uuid.uuid4().hex[:8]}", "vendor_ids": [vendor["id"]]},
    ).json()

    workers = max(1, users - 2)  # one ops reader and one VMS portal, the rest contributors
    tokens = []
    for i in range(workers):
        upsert_profile(cluster, 8_000_000 + i)
        tokens.append(people.create("contributor", contributor_id=8_000_000 + i).headers["Authorization"])
    ops = people.create("ops").headers["Authorization"]

    before = _metrics(cluster)
    tally = Tally()
    until = time.monotonic() + seconds
    sessions = [aiohttp.ClientSession(base_url=gateway, headers={"Authorization": t}) for t in [*tokens, ops]]
    try:
        await asyncio.gather(
            *(contributor_loop(s, queue_id, until, tally) for s in sessions[:-1]),
            ops_loop(sessions[-1], project["id"], until, tally),
            vms_loop(gateway, source, vendor["external_vms_id"], until, tally),
        )
    finally:
        for s in sessions:
            await s.close()
    after = _metrics(cluster)

    conn = await asyncpg.connect(tasks_url)
    try:
        stored = {
            r[0] for r in await conn.fetch("SELECT id FROM submissions WHERE project_id = $1", project["id"])
        }
    finally:
        await conn.close()

    def delta(service: str, name: str, **labels: str) -> int:
        return int(_counter(after[service], name, **labels) - _counter(before[service], name, **labels))

    figures = {
        "submissions acknowledged (load tool)": len(tally.acked),
        "submissions stored (tasks database)": len(stored),
        "labelops_assignments_total{outcome=submitted} delta": delta("tasks", "labelops_assignments_total", outcome="submitted"),
        "leases (load tool, next 200)": tally.counts["next 200"],
        "labelops_next_latency_seconds_count{result=leased} delta": delta("tasks", "labelops_next_latency_seconds_count", result="leased"),
        "webhooks accepted (load tool, 200)": tally.counts["webhook 200"],
        "labelops_vms_webhooks_total{result=processed} delta": delta("vendors", "labelops_vms_webhooks_total", result="processed"),
        "ops reads 200 (load tool)": tally.counts["read 200"],
    }  # fmt: skip
    print(f"\n{users} users for {seconds:.0f} s; responses by kind: {dict(sorted(tally.counts.items()))}")
    for label, value in figures.items():
        print(f"  {label:<60} {value:>7}")
    checks = {
        "acknowledged submissions are stored": set(tally.acked) == stored,
        "assignment counter = acknowledged submissions": figures[
            "labelops_assignments_total{outcome=submitted} delta"
        ]
        == len(tally.acked),
        "next latency count = leases": figures["labelops_next_latency_seconds_count{result=leased} delta"]
        == tally.counts["next 200"],
        "webhook counter = accepted webhooks": figures["labelops_vms_webhooks_total{result=processed} delta"]
        == tally.counts["webhook 200"],
        "every request answered below 500": not any(k.split()[-1].startswith("5") for k in tally.counts),
    }
    for label, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {label}")
    return 0 if all(checks.values()) else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with bench_cluster("labelops-load-") as (cluster, urls):
        return asyncio.run(drive(cluster, args.users, args.seconds, urls["tasks"].replace("+asyncpg", "")))


if __name__ == "__main__":
    sys.exit(main())
