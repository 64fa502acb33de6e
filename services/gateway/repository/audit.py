"""Queries of the audit log."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import AuditEvent


async def add_audit_event(*, session: AsyncSession, event: AuditEvent) -> None:
    session.add(event)
    await session.flush()


async def list_audit_events(
    *,
    session: AsyncSession,
    limit: int,
    after_id: int | None,
    actor: str | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(AuditEvent.id > after_id)
    if actor is not None:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    return list((await session.execute(stmt)).scalars())
