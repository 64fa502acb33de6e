"""Invoices: vendor-submitted lines, status machine, reconciliation against measured production."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Invoice, InvoiceAudit
from services.vendors.repository import common as common_repository
from services.vendors.repository import contracts as contract_repository
from services.vendors.repository import invoices as invoice_repository
from services.vendors.repository import rate_cards as rate_card_repository
from services.vendors.rules.access import VENDOR_MANAGERS
from services.vendors.rules.invoices import (
    ClaimedLine,
    ContractTerms,
    InvoiceReconciliation,
    decide_approval,
    last_day_in_force,
    reconcile_invoice,
)
from services.vendors.rules.money import quantize_money, zero
from services.vendors.rules.transitions import INVOICE_STATUSES, check_transition
from services.vendors.schemas.invoices import InvoiceCreate
from services.vendors.service import production, rate_cards, subscriptions
from services.vendors.service.common import actor, found, jsonable, touch
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
    # The contract in force during the period (a month-to-date period often starts before it).
    in_force = await contract_repository.contracts_in_force_between(
        session, vendor_id=data.vendor_id, start=data.period_start, end=data.period_end
    )
    contract = next((c for c in in_force if c.status == "active"), None)
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
    *,
    session: AsyncSession,
    services: ServiceClient,
    principal: Principal,
    invoice: Invoice,
    to: str,
    note: str | None,
    override_reason: str | None = None,
) -> Invoice:
    """draft → submitted → approved|disputed → paid; a vendor user may only submit (or resubmit) its own."""
    check_transition(INVOICE_STATUSES, current=invoice.status, target=to)
    if not principal.has_any(*VENDOR_MANAGERS) and (invoice.status, to) not in VENDOR_MOVES:
        raise Forbidden(f"only vendor managers, ops or admins may move an invoice to '{to}'")
    if override_reason is not None and to != "approved":
        raise Unprocessable(
            "only an approval takes an override_reason",
            errors=[{"pointer": "/override_reason", "field": "override_reason", "in": "body",
                     "detail": "allowed only with to=approved"}],
        )  # fmt: skip
    return await apply_move(
        session=session, services=services, invoice=invoice, to=to, note=note,
        override_reason=override_reason, by=actor(principal), channel="api",
    )  # fmt: skip


async def apply_move(
    *,
    session: AsyncSession,
    services: ServiceClient,
    invoice: Invoice,
    to: str,
    note: str | None,
    override_reason: str | None,
    by: str,
    channel: str,
) -> Invoice:
    """Every status change, from the API or a VMS, takes this one path: an approval is decided on a
    reconciliation made now (an invoice that cannot be measured is not approved), each change is
    audited, and subscribers hear of it."""
    check_transition(INVOICE_STATUSES, current=invoice.status, target=to)
    audit = InvoiceAudit(
        invoice_id=invoice.id, from_status=invoice.status, to_status=to, actor=by[:100], channel=channel,
        note=note,
    )  # fmt: skip
    if to == "approved":
        result = await reconciliation_of(session=session, services=services, invoice=invoice)
        approval = decide_approval(result, override_reason=override_reason)
        invoice.approved_total = approval.amount
        invoice.approval_basis = approval.basis.value
        invoice.override_reason = approval.override_reason
        audit.override_reason = approval.override_reason
        audit.approval_basis = approval.basis.value
        audit.total_claimed = result.total_claimed
        audit.total_supported = result.total_supported
        audit.approved_total = approval.amount
        audit.has_discrepancies = result.has_discrepancies
    invoice.status = to
    invoice.status_note = note
    touch(invoice)
    await session.flush()
    await invoice_repository.add_audit(session, row=audit)
    if to in ("submitted", "approved"):
        await subscriptions.emit(session, f"invoice.{to}", {"invoice": invoice_event(invoice)})
    return invoice


def invoice_event(invoice: Invoice) -> dict:
    return jsonable({name: getattr(invoice, name) for name in (
        "id", "vendor_id", "contract_id", "number", "status", "currency", "period_start", "period_end", "total",
        "approved_total", "approval_basis")})  # fmt: skip


async def invoice_audit(*, session: AsyncSession, invoice: Invoice) -> list[InvoiceAudit]:
    return await invoice_repository.audit_of(session, invoice_id=invoice.id)


async def reconciliation_of(
    *, session: AsyncSession, services: ServiceClient, invoice: Invoice
) -> InvoiceReconciliation:
    """The invoice's lines against what the tasks service measured for the vendor day by day, each day
    priced at the contract in force that day."""
    measures = await production.measured_by_day(
        services, vendor_id=invoice.vendor_id, start=invoice.period_start, end=invoice.period_end
    )
    contracts = await contract_repository.contracts_in_force_between(
        session, vendor_id=invoice.vendor_id, start=invoice.period_start, end=invoice.period_end
    )
    terms = []
    for contract in contracts:
        last_day: date | None = contract.ends_on
        if contract.status != "active":
            # A contract expired or terminated early stops pricing on the day it left `active`; one
            # terminated before it was ever active never priced anything. No history: its dates hold.
            versions = await contract_repository.contract_versions(session, contract_id=contract.id)
            history = [(str(v.snapshot.get("status")), v.created_at.astimezone(UTC).date()) for v in versions]
            last_day = last_day_in_force(contract.ends_on, history) if history else contract.ends_on
        if last_day is None or last_day < contract.starts_on:
            continue
        rate_lines = await rate_card_repository.rate_lines(session, contract_id=contract.id)
        terms.append(
            ContractTerms(
                contract_id=contract.id,
                starts_on=contract.starts_on,
                ends_on=last_day,
                currency=contract.currency,
                rate_lines=tuple(rate_cards.rule_line(r) for r in rate_lines),
            )
        )
    claimed = [
        ClaimedLine(
            c["task_type"], c["language"], c["unit"], Decimal(c["units_claimed"]), Decimal(c["unit_price"])
        )
        for c in invoice.lines
    ]
    return reconcile_invoice(
        claimed,
        measures,
        terms,
        invoice.currency,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
    )


async def reconcile(*, session: AsyncSession, services: ServiceClient, invoice: Invoice) -> dict:
    """Line by line: what was claimed vs what was measured, priced at the contract in force each day."""
    result = await reconciliation_of(session=session, services=services, invoice=invoice)
    return jsonable(
        {
            "invoice_id": invoice.id,
            "currency": result.currency,
            "contracts": [span.__dict__ for span in result.contract_spans],
            "days_without_contract": [span.__dict__ for span in result.days_without_contract],
            "lines": [
                {**line.__dict__, "unpriced": line.unpriced, "pricing": [p.__dict__ for p in line.pricing]}
                for line in result.lines
            ],
            "unpriced_measured_work": [work.__dict__ for work in result.unpriced_work],
            "total_claimed": result.total_claimed,
            "total_supported": result.total_supported,
            "total_discrepancy": result.total_discrepancy,
            "supported_claim": result.supported_claim,
            "has_discrepancies": result.has_discrepancies,
        }
    )


async def list_invoices(
    *, session: AsyncSession, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Invoice], int | None]:
    """Filters: vendor_id, status (None: any)."""
    rows = await invoice_repository.list_invoices(session, principal=principal, page=page, **filters)
    return page_of(rows, limit=page.limit)
