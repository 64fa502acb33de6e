"""Queries on budgets."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Budget
from services.vendors.repository import common
from services.vendors.repository.common import first, readable
from shared.auth import Principal
from shared.pagination import PageParams


def readable_budgets(principal: Principal) -> Select:
    return readable(Budget, principal)


async def get_budget(session: AsyncSession, *, principal: Principal, budget_id: int) -> Budget | None:
    return await first(session, readable_budgets(principal).where(Budget.id == budget_id))


async def list_budgets(
    session: AsyncSession,
    *,
    principal: Principal,
    page: PageParams,
    project_id: int | None,
    vendor_id: int | None,
) -> list[Budget]:
    stmt = budget_filters(readable_budgets(principal), project_id=project_id, vendor_id=vendor_id)
    return await common.page(session, stmt, Budget, page=page)


def budget_filters(stmt: Select, *, project_id: int | None, vendor_id: int | None) -> Select:
    if project_id is not None:
        stmt = stmt.where(Budget.project_id == project_id)
    if vendor_id is not None:
        stmt = stmt.where(Budget.vendor_id == vendor_id)
    return stmt


async def budgets_in_force(session: AsyncSession, *, on: date) -> list[int]:
    """Budgets whose period covers `on` (a suspension outside it is lifted by raising the budget)."""
    stmt = select(Budget.id).where(Budget.period_start <= on, Budget.period_end >= on)
    return list((await session.execute(stmt.order_by(Budget.id))).scalars())


async def budgets_of_vendor(session: AsyncSession, *, vendor_id: int) -> list[Budget]:
    stmt = select(Budget).where(Budget.vendor_id == vendor_id).order_by(Budget.id)
    return list((await session.execute(stmt)).scalars())
