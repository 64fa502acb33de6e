"""Queries on invoices."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Invoice, InvoiceAudit
from services.vendors.repository import common
from services.vendors.repository.common import first, readable
from shared.auth import Principal
from shared.pagination import PageParams


def readable_invoices(principal: Principal) -> Select:
    return readable(Invoice, principal)


async def get_invoice(session: AsyncSession, *, principal: Principal, invoice_id: int) -> Invoice | None:
    return await first(session, readable_invoices(principal).where(Invoice.id == invoice_id))


async def list_invoices(
    session: AsyncSession,
    *,
    principal: Principal,
    page: PageParams,
    vendor_id: int | None,
    status: str | None,
) -> list[Invoice]:
    stmt = invoice_filters(readable_invoices(principal), vendor_id=vendor_id, status=status)
    return await common.page(session, stmt, Invoice, page=page)


def invoice_filters(stmt: Select, *, vendor_id: int | None, status: str | None) -> Select:
    if vendor_id is not None:
        stmt = stmt.where(Invoice.vendor_id == vendor_id)
    if status:
        stmt = stmt.where(Invoice.status == status)
    return stmt


async def approved_invoices(
    session: AsyncSession, *, vendor_id: int, period_start: date, period_end: date
) -> list[Invoice]:
    stmt = select(Invoice).where(
        Invoice.vendor_id == vendor_id,
        Invoice.status.in_(("approved", "paid")),
        Invoice.period_start >= period_start,
        Invoice.period_end <= period_end,
    )
    return list((await session.execute(stmt)).scalars())


async def invoice_by_number(session: AsyncSession, *, vendor_id: int, number: str) -> Invoice | None:
    stmt = select(Invoice).where(Invoice.vendor_id == vendor_id, Invoice.number == number)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_audit(session: AsyncSession, *, row: InvoiceAudit) -> InvoiceAudit:
    session.add(row)
    await session.flush()
    return row


async def audit_of(session: AsyncSession, *, invoice_id: int) -> list[InvoiceAudit]:
    """The invoice's status changes, oldest first."""
    stmt = select(InvoiceAudit).where(InvoiceAudit.invoice_id == invoice_id).order_by(InvoiceAudit.id)
    return list((await session.execute(stmt)).scalars())
