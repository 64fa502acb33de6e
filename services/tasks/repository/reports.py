"""Queries behind the tasks service's report sections (read-only, over existing tables)."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import PermissionAudit, Project, Queue, VendorSuspension


async def projects_in(session: AsyncSession, *, statuses: tuple[str, ...]) -> list[Project]:
    stmt = select(Project).where(Project.status.in_(statuses)).order_by(Project.id)
    return list((await session.execute(stmt)).scalars())


async def vendor_suspensions(session: AsyncSession, *, limit: int) -> list[VendorSuspension]:
    stmt = select(VendorSuspension).order_by(VendorSuspension.created_at).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def permission_changes(
    session: AsyncSession, *, since: datetime, until: datetime, limit: int
) -> list[tuple[PermissionAudit, int]]:
    """Audit rows of [since, until) with their queue's project, oldest first."""
    stmt = (
        select(PermissionAudit, Queue.project_id)
        .join(Queue, Queue.id == PermissionAudit.queue_id)
        .where(PermissionAudit.at >= since, PermissionAudit.at < until)
        .order_by(PermissionAudit.at, PermissionAudit.id)
        .limit(limit)
    )
    return [(row, project_id) for row, project_id in (await session.execute(stmt)).all()]


async def permission_change_counts(
    session: AsyncSession, *, since: datetime, until: datetime
) -> dict[str, int]:
    stmt = (
        select(PermissionAudit.action, func.count())
        .where(PermissionAudit.at >= since, PermissionAudit.at < until)
        .group_by(PermissionAudit.action)
    )
    return {action: int(n) for action, n in (await session.execute(stmt)).all()}


async def project_names(session: AsyncSession, *, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(Project.id, Project.name).where(Project.id.in_(ids))
    return dict((await session.execute(stmt)).all())
