"""Invoices: vendor-submitted lines, status machine, reconciliation against measured production."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Contract, Invoice
from services.vendors.repository import common as common_repository
from services.vendors.repository import contracts as contract_repository
from services.vendors.repository import invoices as invoice_repository
from services.vendors.rules import rate_cards as rate_card_rules
from services.vendors.rules.access import VENDOR_MANAGERS
from services.vendors.rules.invoices import ClaimedLine, reconcile_invoice
from services.vendors.rules.money import quantize_money, zero
from services.vendors.rules.transitions import INVOICE_STATUSES, check_transition
from services.vendors.schemas.invoices import InvoiceCreate
from services.vendors.service import production, rate_cards, subscriptions
from services.vendors.service.common import found, jsonable, touch
from services.vendors.service.vendors import get_vendor
from shared.auth import Principal
from shared.errors import Forbidden, Unprocessable
from shared.http import ServiceClient
from shared.pagination import PageParams, page_of

# What a vendor user may do to its own invoices; every other move is the client's decision.
VENDOR_MOVES = {("draft", "submitted"), ("disputed", "submitted")}


async def create_invoice(*, session: AsyncSession, principal: Principal, data: InvoiceCreate) -> Invoice:
    """A draft invoice; each line amount is units × price rounded to the currency, the total their sum."""
    await get_vendor(
        session=session, principal=principal, vendor_id=data.vendor_id
    )  # another vendor's id → 404
    contract = await contract_repository.active_contract_on(
        session, vendor_id=data.vendor_id, on=data.period_start
    )
    if contract is not None and contract.currency != data.currency:
        raise Unprocessable(
            f"the vendor's contract {contract.id} is in {contract.currency}",
            errors=[
                {
                    "pointer": "/currency",
                    "field": "currency",
                    "in": "body",
                    "detail": f"must be {contract.currency}",
                }
            ],
        )
    keys = [(line.task_type, line.language.casefold()) for line in data.lines]
    if len(set(keys)) != len(keys):
        raise Unprocessable(
            "one line per task type and language: production is measured at that grain",
            errors=[
                {
                    "pointer": "/lines",
                    "field": "lines",
                    "in": "body",
                    "detail": "duplicate task_type × language",
                }
            ],
        )
    lines = []
    for line in data.lines:
        amount = quantize_money(line.units_claimed * line.unit_price, data.currency)
        lines.append({**line.model_dump(), "amount": amount})
    invoice = Invoice(
        vendor_id=data.vendor_id,
        contract_id=contract.id if contract else None,
        number=data.number,
        currency=data.currency,
        period_start=data.period_start,
        period_end=data.period_end,
        lines=jsonable(lines),
        total=sum((line["amount"] for line in lines), zero(data.currency)),
    )
    return await common_repository.add(
        session, invoice, conflict=f"vendor {data.vendor_id} already has an invoice numbered {data.number!r}"
    )


async def get_invoice(*, session: AsyncSession, principal: Principal, invoice_id: int) -> Invoice:
    row = await invoice_repository.get_invoice(session, principal=principal, invoice_id=invoice_id)
    return found(row, "invoice", invoice_id)


async def move_invoice(
    *, session: AsyncSession, principal: Principal, invoice: Invoice, to: str, note: str | None
) -> Invoice:
    """draft → submitted → approved|disputed → paid; a vendor user may only submit (or resubmit) its own."""
    check_transition(INVOICE_STATUSES, current=invoice.status, target=to)
    if not principal.has_any(*VENDOR_MANAGERS) and (invoice.status, to) not in VENDOR_MOVES:
        raise Forbidden(f"only vendor managers, ops or admins may move an invoice to '{to}'")
    invoice.status = to
    invoice.status_note = note
    touch(invoice)
    await session.flush()
    if to in ("submitted", "approved"):
        await subscriptions.emit(session, f"invoice.{to}", {"invoice": invoice_event(invoice)})
    return invoice


def invoice_event(invoice: Invoice) -> dict:
    return jsonable({name: getattr(invoice, name) for name in (
        "id", "vendor_id", "contract_id", "number", "status", "currency", "period_start", "period_end", "total")})  # fmt: skip


async def reconcile(*, session: AsyncSession, services: ServiceClient, invoice: Invoice) -> dict:
    """Line by line: units claimed vs accepted units measured by the tasks service, with amounts."""
    items = await production.production(
        services, vendor_id=invoice.vendor_id, start=invoice.period_start, end=invoice.period_end
    )
    measured = production.accepted_by_work([i for i in items if i.vendor_id == invoice.vendor_id])
    contract = None if invoice.contract_id is None else await session.get(Contract, invoice.contract_id)
    lines_by_key = await rate_cards.contracted_prices(session=session, contract=contract)
    prices: dict[tuple[str, str], Decimal] = {}
    for key, units in measured.items():
        line = next(
            (
                v
                for (t, lang), v in lines_by_key.items()
                if t == key[0] and lang.casefold() == key[1].casefold()
            ),
            None,
        )
        line = line or next(
            (
                v
                for (t, lang), v in lines_by_key.items()
                if t == key[0] and lang == rate_card_rules.WILDCARD_LANGUAGE
            ),
            None,
        )
        if line is not None and units > 0:
            # With tiers the contracted price is the average over the measured volume, so the supported
            # amount equals the graduated total.
            prices[key] = rate_card_rules.price_for_units(line, units, invoice.currency) / units
        elif line is not None:
            prices[key] = line.unit_price
    claimed = [
        ClaimedLine(
            c["task_type"], c["language"], c["unit"], Decimal(c["units_claimed"]), Decimal(c["unit_price"])
        )
        for c in invoice.lines
    ]
    unpriced = {k: v for k, v in measured.items() if k not in prices and not any(
        (c.task_type, c.language.casefold()) == (k[0], k[1].casefold()) for c in claimed)}  # fmt: skip
    result = reconcile_invoice(
        claimed, {k: v for k, v in measured.items() if k not in unpriced}, prices, invoice.currency
    )
    return jsonable(
        {
            "invoice_id": invoice.id,
            "currency": result.currency,
            "lines": [line.__dict__ for line in result.lines],
            "unpriced_measured_work": [
                {"task_type": t, "language": lang, "units_measured": u} for (t, lang), u in unpriced.items()
            ],
            "total_claimed": result.total_claimed,
            "total_supported": result.total_supported,
            "total_discrepancy": result.total_discrepancy,
            "has_discrepancies": result.has_discrepancies or bool(unpriced),
        }
    )


async def list_invoices(
    *, session: AsyncSession, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Invoice], int | None]:
    """Filters: vendor_id, status (None: any)."""
    rows = await invoice_repository.list_invoices(session, principal=principal, page=page, **filters)
    return page_of(rows, limit=page.limit)
