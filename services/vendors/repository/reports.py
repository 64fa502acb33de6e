"""Queries behind the vendors service's report sections (the handover's partner communications and follow-ups)."""

from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Communication, Vendor


async def communication_counts(session: AsyncSession, *, since: datetime, until: datetime) -> dict[str, int]:
    """Partner communications in [since, until) by direction (received = inbound)."""
    stmt = (
        select(Communication.direction, func.count())
        .where(Communication.occurred_at >= since, Communication.occurred_at < until)
        .group_by(Communication.direction)
    )
    by_direction = dict((await session.execute(stmt)).all())
    return {"received": int(by_direction.get("inbound", 0)), "sent": int(by_direction.get("outbound", 0))}


async def communications_between(
    session: AsyncSession, *, since: datetime, until: datetime, limit: int
) -> list[tuple[Communication, str | None]]:
    """Communications in the window, received and sent, with their vendor's name, in the order they happened."""
    stmt = (
        select(Communication, Vendor.name)
        .outerjoin(Vendor, Vendor.id == Communication.vendor_id)
        .where(Communication.occurred_at >= since, Communication.occurred_at < until)
        .order_by(Communication.occurred_at, Communication.id)
        .limit(limit)
    )
    return [(row, name) for row, name in (await session.execute(stmt)).all()]


def _pending():
    return and_(Communication.follow_up_due_at.is_not(None), Communication.follow_up_done_at.is_(None))


async def pending_follow_up_counts(session: AsyncSession, *, now: datetime) -> dict[str, int]:
    stmt = select(
        func.count(),
        func.coalesce(func.sum(case((Communication.follow_up_due_at < now, 1), else_=0)), 0),
    ).where(_pending())
    pending, overdue = (await session.execute(stmt)).one()
    return {"pending": int(pending), "overdue": int(overdue)}


async def pending_follow_ups(session: AsyncSession, *, limit: int) -> list[tuple[Communication, str | None]]:
    """Open follow-ups, soonest due first, with the vendor's name."""
    stmt = (
        select(Communication, Vendor.name)
        .outerjoin(Vendor, Vendor.id == Communication.vendor_id)
        .where(_pending())
        .order_by(Communication.follow_up_due_at, Communication.id)
        .limit(limit)
    )
    return [(row, name) for row, name in (await session.execute(stmt)).all()]
