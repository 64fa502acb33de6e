"""Queries behind the tasks service's report sections (read-only, over existing tables)."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import PermissionAudit, Project, Queue, Submission, VendorSuspension
from services.tasks.repository import sum_if


async def projects_in(session: AsyncSession, *, statuses: tuple[str, ...]) -> list[Project]:
    stmt = select(Project).where(Project.status.in_(statuses)).order_by(Project.id)
    return list((await session.execute(stmt)).scalars())


async def on_time_by_project(
    session: AsyncSession, *, since: datetime, until: datetime
) -> dict[int, tuple[int, int]]:
    """project → (answers within their SLA, answers past it) among those submitted in [since, until)."""
    stmt = (
        select(
            Submission.project_id,
            sum_if(Submission.on_time.is_(True)),
            sum_if(Submission.on_time.is_(False)),
        )
        .where(Submission.created_at >= since, Submission.created_at < until, Submission.on_time.is_not(None))
        .group_by(Submission.project_id)
    )
    return {p: (int(ok), int(late)) for p, ok, late in (await session.execute(stmt)).all()}


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


def _submitted_figures() -> list[ColumnElement]:
    return [
        func.count().label("submissions"),
        func.coalesce(func.sum(Submission.time_spent_seconds), 0).label("handling_seconds"),
        sum_if(Submission.is_gold.is_(True)).label("gold_total"),
        sum_if(and_(Submission.is_gold.is_(True), Submission.gold_correct.is_(True))).label("gold_correct"),
        sum_if(Submission.on_time.is_(True)).label("on_time"),
        func.count(Submission.on_time).label("with_sla"),
    ]


def _decided_figures() -> list[ColumnElement]:
    return [
        sum_if(Submission.outcome == "accepted").label("accepted"),
        sum_if(Submission.outcome == "rejected").label("rejected"),
    ]


async def kpi_facts(
    session: AsyncSession, *, key: ColumnElement, since: datetime, until: datetime
) -> dict[int, dict[str, int]]:
    """Per `key` (project or vendor): answers submitted in the window, and decisions taken in it.

    Decisions count by decision time, as production and invoices do, so accepted labels here are the units
    the vendors service prices for the same window.
    """
    facts: dict[int, dict[str, int]] = {}
    submitted = (
        select(key.label("id"), *_submitted_figures())
        .where(Submission.created_at >= since, Submission.created_at < until, key.is_not(None))
        .group_by(key)
    )
    decided = (
        select(key.label("id"), *_decided_figures())
        .where(Submission.decided_at >= since, Submission.decided_at < until, key.is_not(None))
        .group_by(key)
    )
    for stmt in (submitted, decided):
        for row in (await session.execute(stmt)).mappings():
            facts.setdefault(int(row["id"]), {}).update({k: int(v) for k, v in row.items() if k != "id"})
    return facts


async def project_names(session: AsyncSession, *, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(Project.id, Project.name).where(Project.id.in_(ids))
    return dict((await session.execute(stmt)).all())
