"""The security audit log: who did what, on what, from where."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import AuditEvent
from services.gateway.repository import audit as repository
from shared.pagination import PageParams, page_of
from shared.windows import check_open_window


async def record(
    *,
    session: AsyncSession,
    actor: str,
    action: str,
    target: str | None = None,
    ip: str | None = None,
    **detail,
) -> None:
    """Add an event to the audit log, in the caller's transaction."""
    await repository.add_audit_event(
        session=session, event=AuditEvent(actor=actor, action=action, target=target, ip=ip, detail=detail)
    )


async def list_audit_events(
    *,
    session: AsyncSession,
    page: PageParams,
    actor: str | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
) -> tuple[list[AuditEvent], str | None]:
    """A page of the audit log, oldest first, narrowed by actor, action and the window [since, until)."""
    check_open_window(since, until)
    rows = await repository.list_audit_events(
        session=session,
        limit=page.limit,
        after_id=page.after_id,
        actor=actor,
        action=action,
        since=since,
        until=until,
    )
    return page_of(rows, limit=page.limit)
