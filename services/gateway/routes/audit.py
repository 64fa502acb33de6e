"""HTTP for /api/v1/audit-events: the security audit log (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.gateway.deps import AdminOnly
from services.gateway.schemas.audit import AuditEventPage
from services.gateway.service import audit as service
from shared.db import ReadSessionDep
from shared.pagination import PageParams, page_params
from shared.windows import Since, Until

router = APIRouter(prefix="/api/v1/audit-events", tags=["audit"])


@router.get("", response_model=AuditEventPage)
async def list_audit_events(
    session: ReadSessionDep,
    _admin: AdminOnly,
    page: Annotated[PageParams, Depends(page_params)],
    actor: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=50)] = None,
    since: Since = None,
    until: Until = None,
):
    """The audit log oldest first, narrowed by actor, action and the window [since, until)."""
    items, next_cursor = await service.list_audit_events(
        session=session, page=page, actor=actor, action=action, since=since, until=until
    )
    return AuditEventPage(items=items, next_cursor=next_cursor)
