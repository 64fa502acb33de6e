"""Builders for tasks-service tests: projects through the API, contributor profiles through events."""

from __future__ import annotations

import itertools
import random
import uuid
from typing import Any

import httpx

from shared.auth import issue_internal_token, service_principal
from tests.support.api import Users
from tests.support.cluster import Cluster

_ids = itertools.count(random.randint(1_000_000, 9_000_000) * 10)
_versions = itertools.count(1)


def next_id() -> int:
    return next(_ids)


def send_event(cluster: Cluster, event_type: str, data: dict[str, Any]) -> httpx.Response:
    token = issue_internal_token(
        service_principal("contributors"), secret=cluster.internal_secret, ttl_seconds=60
    )
    event = {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "source": "contributors",
        "occurred_at": "2026-01-01T00:00:00Z",
        "data": data,
    }
    response = httpx.post(
        cluster.services["tasks"].url + "/internal/events",
        json=event,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response


def upsert_profile(cluster: Cluster, contributor_id: int, **facts: Any) -> None:
    data = {
        "contributor_id": contributor_id,
        "version": next(_versions),
        "status": "active",
        "vendor_id": None,
        "languages": [{"code": "en", "proficiency": "native"}],
        "skills": [],
        "qualifications": [],
        "wellness": {
            "daily_caps_minutes": {"low": 480, "medium": 240, "high": 120},
            "opted_out_harmful": False,
            "timezone": "UTC",
        },
    }
    data.update(facts)
    send_event(cluster, "contributor.upserted", data)


def worker(users: Users, cluster: Cluster, *, vendor_id: int | None = None, **facts: Any) -> httpx.Client:
    """A contributor user with an eligibility profile in the tasks read-model."""
    contributor_id = next_id()
    upsert_profile(cluster, contributor_id, vendor_id=vendor_id, **facts)
    client = users.create("contributor", contributor_id=contributor_id, vendor_id=vendor_id)
    client.contributor_id = contributor_id  # type: ignore[attr-defined]
    return client


def reviewer_on(
    admin: httpx.Client, users: Users, cluster: Cluster, queue_id: int, *, vendor_id: int | None = None
) -> httpx.Client:
    """A contributor granted the reviewer role on a review queue."""
    client = worker(users, cluster, vendor_id=vendor_id)
    grant = admin.post(
        f"/api/v1/queues/{queue_id}/permissions",
        json={"contributor_id": client.contributor_id, "role": "reviewer"},
    )
    assert grant.status_code == 201, grant.text
    return client


def project_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": f"project {uuid.uuid4().hex[:6]}",
        "task_type": "classification",
        "label_schema": {"type": "choices", "choices": ["cat", "dog"], "multiple": False},
        "overlap": 1,
        "gold_ratio": 0.0,
        "review_ratio": 0.0,
        "content_severity": "none",
        "required_languages": [],
        "required_skills": [],
        "lease_seconds": 600,
    }
    body.update(overrides)
    return body


def create_project(admin: httpx.Client, **overrides: Any) -> dict[str, Any]:
    response = admin.post("/api/v1/projects", json=project_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def activate(admin: httpx.Client, project_id: int) -> dict[str, int]:
    response = admin.post(f"/api/v1/projects/{project_id}/transitions", json={"to": "active"})
    assert response.status_code == 200, response.text
    queues = admin.get(f"/api/v1/projects/{project_id}/queues").json()["items"]
    return {q["kind"]: q["id"] for q in queues}


def import_tasks(admin: httpx.Client, project_id: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    response = admin.post(f"/api/v1/projects/{project_id}/tasks", json=rows)
    assert response.status_code == 201, response.text
    return response.json()


def active_project(admin: httpx.Client, *, tasks: int = 3, rows: list | None = None, **overrides: Any):
    """An active crowd project with `tasks` plain tasks; returns (project, queues)."""
    project = create_project(admin, **overrides)
    rows = rows if rows is not None else [{"data": {"n": i}} for i in range(tasks)]
    if rows:  # an import without rows is refused; an empty project simply has none
        import_tasks(admin, project["id"], rows)
    return project, activate(admin, project["id"])


def work_one(client: httpx.Client, queue_id: int, answer: Any = "cat", seconds: int = 30) -> dict[str, Any]:
    """Lease the queue's next task and submit `answer` for it; returns the submission."""
    lease = client.post(f"/api/v1/queues/{queue_id}/next")
    assert lease.status_code == 200, lease.text
    response = client.post(
        f"/api/v1/assignments/{lease.json()['assignment_id']}/submit",
        json={"answer": answer, "time_spent_seconds": seconds},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    return response.json()


def execute(url: str, sql: str, **params: Any) -> None:
    """Change a tasks table directly (committed), to set up states no API makes on demand, e.g. an expired lease."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    async def run() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.begin() as conn:
                await conn.execute(text(sql), params)
        finally:
            await engine.dispose()

    asyncio.run(run())
