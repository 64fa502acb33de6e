"""HTTP for /api/v1/budgets."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.vendors.deps import BudgetToEdit, BudgetToRead, InternalRecordsRead, Paging, VendorsManage
from services.vendors.schemas.budgets import (
    BudgetCreate,
    BudgetEvaluationRead,
    BudgetPage,
    BudgetRead,
    BudgetSpendRead,
    BudgetUpdate,
)
from services.vendors.service import budgets as service
from shared.db import ReadSessionDep, SessionDep
from shared.etag import IfMatchHeader, check_if_match, set_etag
from shared.http import ServicesDep
from shared.types import MAX_ID

router = APIRouter(prefix="/api/v1/budgets", tags=["budgets"])


@router.post("", status_code=201, response_model=BudgetRead)
async def create_budget(
    data: BudgetCreate,
    session: SessionDep,
    services: ServicesDep,
    principal: VendorsManage,
    response: Response,
):
    """A hard cap on a vendor's budget is enforced by assignment itself (`next` answers budget_cap)."""
    budget = await service.create_budget(session=session, services=services, principal=principal, data=data)
    set_etag(response, budget.id, budget.version)
    return budget


@router.get("/{budget_id}", response_model=BudgetRead)
async def read_budget(budget: BudgetToRead, response: Response):
    set_etag(response, budget.id, budget.version)
    return budget


@router.patch("/{budget_id}", response_model=BudgetRead)
async def update_budget(
    budget: BudgetToEdit,
    data: BudgetUpdate,
    services: ServicesDep,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
):
    """Raising the amount re-evaluates at once and lifts a hard-cap suspension the budget caused."""
    check_if_match(if_match, resource_id=budget.id, version=budget.version)
    budget = await service.update_budget(session=session, services=services, budget=budget, data=data)
    set_etag(response, budget.id, budget.version)
    return budget


@router.get("/{budget_id}/spend", response_model=BudgetSpendRead)
async def budget_spend(budget: BudgetToRead, services: ServicesDep, session: ReadSessionDep):
    """Spend to date, burn rate and forecast at completion (no side effects)."""
    return await service.measure_spend(session=session, services=services, budget=budget)


@router.post("/{budget_id}/evaluations", response_model=BudgetEvaluationRead)
async def evaluate_budget(budget: BudgetToEdit, services: ServicesDep, session: SessionDep):
    """Measure spend now: alert (budget.alert) when the forecast exceeds the budget, apply the hard cap."""
    return await service.evaluate_budget(session=session, services=services, budget=budget)


@router.get("", response_model=BudgetPage)
async def list_budgets(
    session: ReadSessionDep,
    principal: InternalRecordsRead,
    page: Paging,
    project_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    vendor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
):
    items, next_cursor = await service.list_budgets(
        session=session, principal=principal, page=page, project_id=project_id, vendor_id=vendor_id
    )
    return BudgetPage(items=items, next_cursor=next_cursor)
