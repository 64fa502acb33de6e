"""Queries behind the contributors service's report sections: support tickets and wellness exposure."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor, ExposureRecord, Ticket
from services.contributors.repository.tickets import CLOSED_STATUSES, overdue_condition


def _count_in(column: ColumnElement, since: datetime, until: datetime) -> ColumnElement:
    return func.coalesce(func.sum(case((and_(column >= since, column < until), 1), else_=0)), 0)


async def ticket_counts(session: AsyncSession, *, since: datetime, until: datetime, now: datetime) -> dict:
    """Tickets opened, resolved and escalated in [since, until), and open / overdue right now."""
    stmt = select(
        _count_in(Ticket.created_at, since, until).label("opened"),
        _count_in(Ticket.resolved_at, since, until).label("handled"),
        _count_in(Ticket.escalated_at, since, until).label("escalated"),
        func.coalesce(func.sum(case((Ticket.status.not_in(CLOSED_STATUSES), 1), else_=0)), 0).label("open"),
        func.coalesce(func.sum(case((overdue_condition(now), 1), else_=0)), 0).label("overdue"),
    )
    return {k: int(v) for k, v in (await session.execute(stmt)).mappings().one().items()}


def _open_at(at: datetime) -> ColumnElement:
    """Logged before `at` and neither resolved nor closed by then: what the next shift takes over."""
    return and_(
        Ticket.created_at < at,
        or_(Ticket.resolved_at.is_(None), Ticket.resolved_at >= at),
        or_(Ticket.closed_at.is_(None), Ticket.closed_at >= at),
    )


async def tickets_open_at(session: AsyncSession, *, at: datetime, limit: int) -> tuple[list[Ticket], int]:
    """The tickets open at `at`, the next resolution due first (the first `limit`), and how many in all."""
    stmt = select(Ticket).where(_open_at(at)).order_by(Ticket.resolution_due, Ticket.id).limit(limit)
    total = (await session.execute(select(func.count()).select_from(Ticket).where(_open_at(at)))).scalar_one()
    return list((await session.execute(stmt)).scalars()), int(total)


def _exposure_figures() -> list[ColumnElement]:
    harmful = ExposureRecord.severity.in_(("low", "medium", "high"))
    return [
        func.coalesce(func.sum(case((harmful, ExposureRecord.seconds), else_=0)), 0).label("seconds"),
        func.coalesce(
            func.sum(case((ExposureRecord.severity == "high", ExposureRecord.seconds), else_=0)), 0
        ).label("high_seconds"),
        func.count(func.distinct(case((harmful, ExposureRecord.contributor_id), else_=None))).label("people"),
    ]


async def exposure_by_project(session: AsyncSession, *, since: datetime, until: datetime) -> list[dict]:
    """Seconds on content of some severity per project, from submissions that ended in [since, until)."""
    stmt = (
        select(ExposureRecord.project_id.label("id"), *_exposure_figures())
        .where(ExposureRecord.ended_at >= since, ExposureRecord.ended_at < until)
        .group_by(ExposureRecord.project_id)
        .order_by(ExposureRecord.project_id)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def exposure_by_vendor(session: AsyncSession, *, since: datetime, until: datetime) -> list[dict]:
    stmt = (
        select(Contributor.vendor_id.label("id"), *_exposure_figures())
        .join(Contributor, Contributor.id == ExposureRecord.contributor_id)
        .where(
            ExposureRecord.ended_at >= since,
            ExposureRecord.ended_at < until,
            Contributor.vendor_id.is_not(None),
        )
        .group_by(Contributor.vendor_id)
        .order_by(Contributor.vendor_id)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]
