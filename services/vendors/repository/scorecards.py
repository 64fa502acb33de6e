"""Queries on scorecards."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Scorecard, Vendor
from services.vendors.repository import common
from services.vendors.repository.common import first, readable
from services.vendors.rules.access import SEES_EVERY_VENDOR
from shared.auth import Principal
from shared.pagination import PageParams


def readable_scorecards(principal: Principal) -> Select:
    """Staff see every scorecard; a vendor user its own vendor's once published (a draft is not final)."""
    stmt = readable(Scorecard, principal)
    if principal.has_any(*SEES_EVERY_VENDOR):
        return stmt
    return stmt.where(Scorecard.status == "published")


async def get_scorecard(
    session: AsyncSession, *, principal: Principal, scorecard_id: int
) -> Scorecard | None:
    return await first(session, readable_scorecards(principal).where(Scorecard.id == scorecard_id))


async def list_scorecards(
    session: AsyncSession, *, principal: Principal, page: PageParams, vendor_id: int | None
) -> list[Scorecard]:
    stmt = scorecard_filters(readable_scorecards(principal), vendor_id=vendor_id)
    return await common.page(session, stmt, Scorecard, page=page)


def scorecard_filters(stmt: Select, *, vendor_id: int | None) -> Select:
    return stmt if vendor_id is None else stmt.where(Scorecard.vendor_id == vendor_id)


async def latest_attainments(session: AsyncSession) -> list[str | None]:
    """The overall SLA attainment of the most recent scorecard of each active vendor (None: unmeasured)."""
    latest = (
        select(func.max(Scorecard.id))
        .join(Vendor, Vendor.id == Scorecard.vendor_id)
        .where(Vendor.status == "active")
        .group_by(Scorecard.vendor_id)
    )
    results = (await session.execute(select(Scorecard.result).where(Scorecard.id.in_(latest)))).scalars()
    return [result.get("overall_attainment") for result in results]
