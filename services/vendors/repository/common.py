"""What every repository module of the vendors service builds on: `readable(...)` scopes reads to the caller
once (each resource's readable_* statement is made with it), pages, inserts that may clash."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Contract, Invoice, Scorecard, Vendor
from services.vendors.rules.access import SEES_EVERY_VENDOR
from shared.auth import Principal
from shared.db import flush_or_conflict
from shared.pagination import PageParams

# Tables a `vendor` user may read, each narrowed to its own vendor through this column.
VENDOR_SCOPED = {Vendor: Vendor.id, Contract: Contract.vendor_id, Invoice: Invoice.vendor_id}
VENDOR_SCOPED[Scorecard] = Scorecard.vendor_id

M = TypeVar("M")


def readable(model: type[M], principal: Principal) -> Select:
    """Staff see every row; a vendor user only its own vendor's rows; anyone else nothing."""
    stmt = select(model)
    if principal.has_any(*SEES_EVERY_VENDOR):
        return stmt
    column = VENDOR_SCOPED.get(model)
    if column is not None and principal.has_any("vendor") and principal.vendor_id is not None:
        return stmt.where(column == principal.vendor_id)
    return stmt.where(False)


async def first(session: AsyncSession, stmt: Select) -> Any:
    """The one row `stmt` finds, or None."""
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_for_update(session: AsyncSession, model: type[M], *, row_id: int) -> M | None:
    stmt = select(model).where(model.id == row_id)  # type: ignore[attr-defined]
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # populate_existing: a row this session already holds is read again under the lock, so the
        # caller decides on what the previous writer committed, not on what it loaded before waiting.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(session: AsyncSession, stmt: Select, model: Any, *, page: PageParams) -> list:
    """One page in id order; limit+1 rows so the caller knows whether another page exists."""
    if page.after_id is not None:
        stmt = stmt.where(model.id > page.after_id)
    return list((await session.execute(stmt.order_by(model.id).limit(page.limit + 1))).scalars())


async def add(session: AsyncSession, row: M, *, conflict: str) -> M:
    """Insert `row`; a unique-key clash becomes 409 with `conflict` as the detail."""
    session.add(row)
    await flush_or_conflict(session, conflict=conflict)
    return row


flush = flush_or_conflict
