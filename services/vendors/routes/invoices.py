"""HTTP for /api/v1/invoices."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.vendors.deps import InvoicesWrite, InvoiceToEdit, InvoiceToRead, Paging, VendorsRead
from services.vendors.schemas.invoices import (
    InvoiceAuditPage,
    InvoiceCreate,
    InvoicePage,
    InvoiceRead,
    InvoiceReconciliationRead,
    InvoiceTransitionRequest,
)
from services.vendors.service import invoices as service
from shared.db import ReadSessionDep, SessionDep
from shared.etag import set_etag
from shared.http import ServicesDep
from shared.types import MAX_ID

router = APIRouter(prefix="/api/v1/invoices", tags=["invoices"])


@router.post("", status_code=201, response_model=InvoiceRead)
async def create_invoice(
    data: InvoiceCreate, session: SessionDep, principal: InvoicesWrite, response: Response
):
    invoice = await service.create_invoice(session=session, principal=principal, data=data)
    set_etag(response, invoice.id, invoice.version)
    return invoice


@router.get("/{invoice_id}", response_model=InvoiceRead)
async def read_invoice(invoice: InvoiceToRead, response: Response):
    set_etag(response, invoice.id, invoice.version)
    return invoice


@router.post("/{invoice_id}/transitions", response_model=InvoiceRead)
async def move_invoice(
    invoice: InvoiceToEdit,
    data: InvoiceTransitionRequest,
    session: SessionDep,
    services: ServicesDep,
    principal: InvoicesWrite,
    response: Response,
):
    """Approving reconciles first: with open discrepancies it pays the supported amount unless an
    `override_reason` is given; every move is audited."""
    invoice = await service.move_invoice(
        session=session, services=services, principal=principal, invoice=invoice, to=data.to,
        note=data.reason, override_reason=data.override_reason,
    )  # fmt: skip
    set_etag(response, invoice.id, invoice.version)
    return invoice


@router.get("/{invoice_id}/reconciliation", response_model=InvoiceReconciliationRead)
async def reconcile_invoice(invoice: InvoiceToRead, services: ServicesDep, session: ReadSessionDep):
    """Each line's claim vs what the tasks service measured, each day priced at the contract in force."""
    return await service.reconcile(session=session, services=services, invoice=invoice)


@router.get("/{invoice_id}/audit", response_model=InvoiceAuditPage)
async def invoice_audit(invoice: InvoiceToRead, session: ReadSessionDep):
    """Every status change of the invoice, oldest first: who (or which VMS), why, and what approval paid."""
    return InvoiceAuditPage(items=await service.invoice_audit(session=session, invoice=invoice))


@router.get("", response_model=InvoicePage)
async def list_invoices(
    session: ReadSessionDep,
    principal: VendorsRead,
    page: Paging,
    vendor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
):
    items, next_cursor = await service.list_invoices(
        session=session, principal=principal, page=page, vendor_id=vendor_id, status=status
    )
    return InvoicePage(items=items, next_cursor=next_cursor)
