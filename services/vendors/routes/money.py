"""HTTP for /api/v1/budgets, /api/v1/invoices and /api/v1/scorecards."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.vendors.deps import InternalRecordsRead, InvoicesWrite, Paging, VendorsManage, VendorsRead
from services.vendors.schemas.money import (
    BudgetCreate,
    BudgetPage,
    BudgetRead,
    BudgetUpdate,
    InvoiceCreate,
    InvoicePage,
    InvoiceRead,
    ScorecardCreate,
    ScorecardPage,
    ScorecardRead,
)
from services.vendors.schemas.relationships import TransitionRequest
from services.vendors.service import budgets, invoices, scorecards
from shared.db import ReadSessionDep, SessionDep
from shared.etag import IfMatchHeader, check_if_match, set_etag
from shared.http import ServicesDep
from shared.types import MAX_ID, PathId

budget_router = APIRouter(prefix="/api/v1/budgets", tags=["budgets"])
invoice_router = APIRouter(prefix="/api/v1/invoices", tags=["invoices"])
scorecard_router = APIRouter(prefix="/api/v1/scorecards", tags=["scorecards"])


# --- budgets -------------------------------------------------------------------------------------


@budget_router.post("", status_code=201, response_model=BudgetRead)
async def create_budget(
    data: BudgetCreate, session: SessionDep, principal: VendorsManage, response: Response
):
    budget = await budgets.create_budget(session, principal=principal, data=data)
    set_etag(response, budget.id, budget.version)
    return budget


@budget_router.get("/{budget_id}", response_model=BudgetRead)
async def read_budget(
    budget_id: PathId, session: ReadSessionDep, principal: InternalRecordsRead, response: Response
):
    budget = await budgets.get_budget(session, principal=principal, budget_id=budget_id)
    set_etag(response, budget.id, budget.version)
    return budget


@budget_router.patch("/{budget_id}", response_model=BudgetRead)
async def update_budget(
    budget_id: PathId,
    data: BudgetUpdate,
    services: ServicesDep,
    session: SessionDep,
    principal: VendorsManage,
    response: Response,
    if_match: IfMatchHeader = None,
):
    """Raising the amount re-evaluates at once and lifts a hard-cap suspension the budget caused."""
    budget = await budgets.get_budget(session, principal=principal, budget_id=budget_id)
    check_if_match(if_match, resource_id=budget.id, version=budget.version)
    budget = await budgets.update_budget(session, services=services, budget=budget, data=data)
    set_etag(response, budget.id, budget.version)
    return budget


@budget_router.get("/{budget_id}/spend")
async def budget_spend(
    budget_id: PathId, services: ServicesDep, session: ReadSessionDep, principal: InternalRecordsRead
) -> dict:
    """Spend to date, burn rate and forecast at completion (no side effects)."""
    budget = await budgets.get_budget(session, principal=principal, budget_id=budget_id)
    return budgets.report_json(await budgets.measure_spend(session, services=services, budget=budget))


@budget_router.post("/{budget_id}/evaluations")
async def evaluate_budget(
    budget_id: PathId, services: ServicesDep, session: SessionDep, principal: VendorsManage
) -> dict:
    """Measure spend now: alert (budget.alert) when the forecast exceeds the budget, apply the hard cap."""
    budget = await budgets.get_budget(session, principal=principal, budget_id=budget_id)
    return budgets.report_json(await budgets.evaluate_budget(session, services=services, budget=budget))


@budget_router.get("", response_model=BudgetPage)
async def list_budgets(
    session: ReadSessionDep,
    principal: InternalRecordsRead,
    page: Paging,
    project_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    vendor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
):
    items, next_cursor = await budgets.list_budgets(
        session, principal=principal, page=page, project_id=project_id, vendor_id=vendor_id
    )
    return BudgetPage(items=items, next_cursor=next_cursor)


# --- invoices ------------------------------------------------------------------------------------


@invoice_router.post("", status_code=201, response_model=InvoiceRead)
async def create_invoice(
    data: InvoiceCreate, session: SessionDep, principal: InvoicesWrite, response: Response
):
    invoice = await invoices.create_invoice(session, principal=principal, data=data)
    set_etag(response, invoice.id, invoice.version)
    return invoice


@invoice_router.get("/{invoice_id}", response_model=InvoiceRead)
async def read_invoice(
    invoice_id: PathId, session: ReadSessionDep, principal: VendorsRead, response: Response
):
    invoice = await invoices.get_invoice(session, principal=principal, invoice_id=invoice_id)
    set_etag(response, invoice.id, invoice.version)
    return invoice


@invoice_router.post("/{invoice_id}/transitions", response_model=InvoiceRead)
async def move_invoice(
    invoice_id: PathId,
    data: TransitionRequest,
    session: SessionDep,
    principal: InvoicesWrite,
    response: Response,
):
    invoice = await invoices.get_invoice(session, principal=principal, invoice_id=invoice_id)
    invoice = await invoices.move_invoice(
        session, principal=principal, invoice=invoice, to=data.to, note=data.reason
    )
    set_etag(response, invoice.id, invoice.version)
    return invoice


@invoice_router.get("/{invoice_id}/reconciliation")
async def reconcile_invoice(
    invoice_id: PathId, services: ServicesDep, session: ReadSessionDep, principal: VendorsRead
) -> dict:
    """Each line's claimed units vs accepted units measured by the tasks service, with amounts."""
    invoice = await invoices.get_invoice(session, principal=principal, invoice_id=invoice_id)
    return await invoices.reconcile(session, services=services, invoice=invoice)


@invoice_router.get("", response_model=InvoicePage)
async def list_invoices(
    session: ReadSessionDep,
    principal: VendorsRead,
    page: Paging,
    vendor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
):
    items, next_cursor = await invoices.list_invoices(
        session, principal=principal, page=page, vendor_id=vendor_id, status=status
    )
    return InvoicePage(items=items, next_cursor=next_cursor)


# --- scorecards ----------------------------------------------------------------------------------


@scorecard_router.post("", status_code=201, response_model=ScorecardRead)
async def compute_scorecard(
    data: ScorecardCreate, services: ServicesDep, session: SessionDep, principal: VendorsManage
):
    return await scorecards.compute_scorecard(session, services=services, principal=principal, data=data)


@scorecard_router.get("/{scorecard_id}", response_model=ScorecardRead)
async def read_scorecard(scorecard_id: PathId, session: ReadSessionDep, principal: VendorsRead):
    return await scorecards.get_scorecard(session, principal=principal, scorecard_id=scorecard_id)


@scorecard_router.post("/{scorecard_id}/publish", response_model=ScorecardRead)
async def publish_scorecard(scorecard_id: PathId, session: SessionDep, principal: VendorsManage):
    scorecard = await scorecards.get_scorecard(session, principal=principal, scorecard_id=scorecard_id)
    return await scorecards.publish_scorecard(session, scorecard=scorecard)


@scorecard_router.get("", response_model=ScorecardPage)
async def list_scorecards(
    session: ReadSessionDep,
    principal: VendorsRead,
    page: Paging,
    vendor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
):
    items, next_cursor = await scorecards.list_scorecards(
        session, principal=principal, page=page, vendor_id=vendor_id
    )
    return ScorecardPage(items=items, next_cursor=next_cursor)
