"""The Projects pages' calls to the API: the list, one project with its stats, queues and grants, and a
queue's grants page by page."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from services.console.service.gateway import Gateway, GatewayError

# The project page shows the latest firings; every one is in the download.
LATEST_FIRINGS = 20


async def list_projects(
    *, gateway: Gateway, q: str, status: str, sort: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    return await gateway.get("/projects", q=q, status=status, sort=sort, cursor=cursor, limit=limit)


async def project_overview(
    *, gateway: Gateway, project_id: int, rules_cursor: str | None, limit: int
) -> dict[str, Any]:
    """The project first (its 404 is the page's), then its figures, a page of its quality rules and its
    queues, each with the first page of its grants (a crowd queue has thousands: the rest are on the
    queue's grants page)."""
    project = await gateway.get(f"/projects/{project_id}")
    stats, queues, rules, firings = await asyncio.gather(
        gateway.get(f"/projects/{project_id}/stats"),
        # One queue per kind (labeling, review; unique in the tasks database): the first page is all of them.
        gateway.get(f"/projects/{project_id}/queues"),
        gateway.get(f"/projects/{project_id}/quality-rules", cursor=rules_cursor, limit=limit),
        gateway.get(f"/projects/{project_id}/quality-rules/firings", sort="-id", limit=LATEST_FIRINGS),
    )
    grants = await asyncio.gather(
        *(gateway.get(f"/queues/{q['id']}/permissions", limit=limit) for q in queues["items"])
    )
    for queue, granted in zip(queues["items"], grants, strict=True):
        queue["grants"] = granted["items"]
        queue["more_grants"] = granted.get("next_cursor") is not None
    return {
        "project": project,
        "stats": stats,
        "queues": queues["items"],
        "quality_rules": rules["items"],
        "rules_next_cursor": rules.get("next_cursor"),
        "firings": firings["items"],
        "more_firings": firings.get("next_cursor") is not None,
    }


async def queue_grants(
    *,
    gateway: Gateway,
    project_id: int,
    queue_id: int,
    query: Mapping[str, str | None],
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    """One page of a queue's grants, with the project and the queue they belong to; a queue that is not
    the project's is a 404, like a project the viewer may not read."""
    project, queues, grants = await asyncio.gather(
        gateway.get(f"/projects/{project_id}"),
        gateway.get(f"/projects/{project_id}/queues"),
        gateway.get(f"/queues/{queue_id}/permissions", **query, cursor=cursor, limit=limit),
    )
    queue = next((q for q in queues["items"] if q["id"] == queue_id), None)
    if queue is None:
        raise GatewayError(404, f"queue {queue_id} not found in project {project_id}")
    return {
        "project": project,
        "queue": queue,
        "grants": grants["items"],
        "next_cursor": grants.get("next_cursor"),
    }


async def import_tasks(
    *, gateway: Gateway, project_id: int, content: bytes, content_type: str, batch_name: str | None
) -> dict[str, Any]:
    """The file goes to the API as it is, one batch; the API answers counts and per-row errors."""
    response = await gateway.call(
        "POST",
        f"/projects/{project_id}/tasks",
        content=content,
        headers={"Content-Type": content_type},
        params={"batch_name": batch_name} if batch_name else None,
        timeout=300,
    )
    return response.json()


async def project_export(*, gateway: Gateway, project_id: int, format: str) -> httpx.Response:
    return await gateway.stream(f"/projects/{project_id}/export", format=format)


async def grant(
    *, gateway: Gateway, queue_id: int, grantee: str, grantee_id: int | None, role: str, expires_at
):
    body = {"role": role, "expires_at": expires_at}
    body |= {"crowd": True} if grantee == "crowd" else {f"{grantee}_id": grantee_id}
    await gateway.post(f"/queues/{queue_id}/permissions", body)


async def revoke(*, gateway: Gateway, queue_id: int, permission_id: int, reason: str) -> None:
    await gateway.call(
        "DELETE",
        f"/queues/{queue_id}/permissions/{permission_id}",
        params={"reason": reason} if reason else None,
    )


async def eligibility(*, gateway: Gateway, queue_id: int, contributor_id: int) -> dict[str, Any]:
    """Every lease precondition `next` applies for the contributor on the queue, passed or not."""
    return await gateway.get(f"/queues/{queue_id}/eligibility", contributor_id=contributor_id)


async def at_risk_tasks(
    *, gateway: Gateway, project_id: int, include_breached: bool, cursor: str | None, limit: int
) -> dict[str, Any]:
    """The open tasks at risk of their SLA (the ones stats count), earliest due first; past due ones too
    when asked for."""
    return await gateway.get(
        f"/projects/{project_id}/at-risk-tasks",
        include_breached="true" if include_breached else None,
        cursor=cursor,
        limit=limit,
    )
