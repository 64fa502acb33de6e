"""HTTP for /api/v1/queues: permissions, quality bans, and `next` (a lease, or 204 with the reason)."""

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.tasks import metrics
from services.tasks.deps import ProjectsManage, ProjectsRead, Worker
from services.tasks.schemas.assignments import LeaseRead
from services.tasks.schemas.queues import PermissionCreate, PermissionRead, QueueBanRead
from services.tasks.service import assignments, quality_rules
from services.tasks.service import projects as service
from shared.db import ReadSessionDep, SessionDep
from shared.pagination import Page, PageParams, page_of, page_params
from shared.rawsql import RawConnectionDep
from shared.responses import JSONBytes
from shared.types import PathId

router = APIRouter(prefix="/api/v1/queues", tags=["queues"])
QUEUE_REASON = "LabelOps-Queue-Reason"
NO_WORK = {
    204: {
        "description": "No work now; Retry-After says when to ask again and LabelOps-Queue-Reason why "
        "(exhausted | all_leased | not_eligible | wellness_cap | daily_quota | lease_limit)"
    }
}


@router.post("/{queue_id}/permissions", status_code=201, response_model=PermissionRead)
async def grant_permission(
    queue_id: PathId, data: PermissionCreate, session: SessionDep, principal: ProjectsManage
):
    return await service.grant_queue_permission(session, principal=principal, queue_id=queue_id, data=data)


@router.get("/{queue_id}/permissions", response_model=list[PermissionRead])
async def list_permissions(queue_id: PathId, session: ReadSessionDep, _principal: ProjectsRead):
    return await service.list_queue_permissions(session, queue_id=queue_id)


@router.delete("/{queue_id}/permissions/{permission_id}", status_code=204)
async def revoke_permission(
    queue_id: PathId, permission_id: PathId, session: SessionDep, principal: ProjectsManage
):
    await service.revoke_queue_permission(
        session, principal=principal, queue_id=queue_id, permission_id=permission_id
    )
    return Response(status_code=204)


@router.get("/{queue_id}/bans", response_model=Page[QueueBanRead])
async def list_bans(
    queue_id: PathId,
    session: ReadSessionDep,
    _principal: ProjectsRead,
    page: Annotated[PageParams, Depends(page_params)],
    include_lifted: Annotated[bool, Query(description="also bans lifted or past their until")] = False,
):
    """Contributors kept off the queue by quality rules or drift auto-revoke, oldest first."""
    rows = await quality_rules.list_queue_bans(
        session, queue_id=queue_id, include_inactive=include_lifted, limit=page.limit, after_id=page.after_id
    )
    items, next_cursor = page_of(rows, limit=page.limit, id_of=lambda b: b["id"])
    return Page[QueueBanRead](items=items, next_cursor=next_cursor)


@router.delete("/{queue_id}/bans/{ban_id}", status_code=204)
async def lift_ban(queue_id: PathId, ban_id: PathId, session: SessionDep, principal: ProjectsManage):
    """Let the contributor back on the queue at once (audited); lifting a lifted ban is a 204 too."""
    await quality_rules.lift_queue_ban(session, principal=principal, queue_id=queue_id, ban_id=ban_id)
    return Response(status_code=204)


@router.post("/{queue_id}/next", response_model=LeaseRead, responses=NO_WORK)
async def lease_next(queue_id: PathId, connection: RawConnectionDep, principal: Worker):
    start = time.perf_counter()
    outcome = await assignments.lease_next_task(connection, principal=principal, queue_id=queue_id)
    if isinstance(outcome, assignments.NoWork):
        metrics.NEXT_LATENCY.labels(result=outcome.reason).observe(time.perf_counter() - start)
        return Response(
            status_code=204, headers={"Retry-After": str(outcome.retry_after), QUEUE_REASON: outcome.reason}
        )
    metrics.NEXT_LATENCY.labels(result="leased").observe(time.perf_counter() - start)
    # Serialised directly: the lease is built by the service in LeaseRead's shape.
    return JSONBytes(outcome)
