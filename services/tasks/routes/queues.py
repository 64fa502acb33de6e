"""HTTP for /api/v1/queues: permissions and quality bans (`next` is the assignment loop's: assignment/routes.py)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from services.tasks.deps import ProjectsManage, ProjectsRead
from services.tasks.schemas.queues import PermissionCreate, PermissionRead, QueueBanRead
from services.tasks.service import projects as service
from services.tasks.service import quality_rules
from shared.db import ReadSessionDep, SessionDep
from shared.pagination import KeysetCursor, Page, PageLimit, PageParams, page_of, page_params
from shared.types import MAX_ID, PathId

router = APIRouter(prefix="/api/v1/queues", tags=["queues"])


@router.post("/{queue_id}/permissions", status_code=201, response_model=PermissionRead)
async def grant_permission(
    queue_id: PathId, data: PermissionCreate, session: SessionDep, principal: ProjectsManage
):
    return await service.grant_queue_permission(session, principal=principal, queue_id=queue_id, data=data)


@router.get("/{queue_id}/permissions", response_model=Page[PermissionRead])
async def list_permissions(
    queue_id: PathId,
    session: ReadSessionDep,
    _principal: ProjectsRead,
    include_ended: Annotated[bool, Query(description="also grants revoked or expired")] = False,
    contributor_id: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="only the grants given to this contributor itself (not its vendor's or the crowd's)",
        ),
    ] = None,
    sort: Annotated[
        Literal["id", "-id", "expires_at", "-expires_at"],
        Query(
            description="id: the order they were given; expires_at: the soonest to expire first, then those that never do"
        ),
    ] = "id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    """The queue's grants, oldest first unless sorted otherwise."""
    items, next_cursor = await service.list_queue_permissions(
        session,
        queue_id=queue_id,
        include_ended=include_ended,
        contributor_id=contributor_id,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    return Page[PermissionRead](items=items, next_cursor=next_cursor)


@router.delete("/{queue_id}/permissions/{permission_id}", status_code=204)
async def revoke_permission(
    queue_id: PathId,
    permission_id: PathId,
    session: SessionDep,
    principal: ProjectsManage,
    reason: Annotated[
        str | None, Query(min_length=1, max_length=500, description="kept in the audit")
    ] = None,
):
    await service.revoke_queue_permission(
        session, principal=principal, queue_id=queue_id, permission_id=permission_id, reason=reason
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
