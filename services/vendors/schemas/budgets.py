"""API models: project budgets."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, StrictBool, model_validator

from services.vendors.schemas.base import Currency, Day, Price, Read, RefId, Write


class BudgetCreate(Write):
    project_id: RefId
    vendor_id: RefId | None = None
    amount: Price = Field(gt=0)
    currency: Currency
    period_start: Day
    period_end: Day
    hard_cap: StrictBool = False

    @model_validator(mode="after")
    def dates_in_order(self) -> "BudgetCreate":
        if self.period_end < self.period_start:
            raise ValueError("period_end must not be before period_start")
        return self


class BudgetUpdate(Write):
    amount: Price | None = Field(default=None, gt=0)
    hard_cap: StrictBool | None = None


class BudgetRead(Read):
    id: int
    project_id: int
    vendor_id: int | None
    amount: Decimal
    currency: str
    period_start: date
    period_end: date
    hard_cap: bool
    alert_sent_at: datetime | None
    suspended_vendor_ids: list[int]
    version: int
    created_at: datetime
    updated_at: datetime


class BudgetPage(BaseModel):
    items: list[BudgetRead]
    next_cursor: str | None = None


class SpendLine(BaseModel):
    vendor_id: int
    task_type: str
    language: str
    accepted_units: Decimal
    amount: Decimal


class UnpricedWork(BaseModel):
    """Accepted units no contract in the budget's currency prices: counted nowhere, listed here."""

    vendor_id: int
    task_type: str
    language: str
    accepted_units: Decimal


class BudgetSpendRead(BaseModel):
    """Spend to date and the forecast at completion (`rules/budgets.py` defines each figure)."""

    budget_id: int
    currency: str
    amount: Decimal
    spend: Decimal
    remaining: Decimal
    utilisation: Decimal
    elapsed_days: int
    total_days: int
    burn_rate_per_day: Decimal
    cost_per_unit: Decimal | None
    units_to_complete: Decimal
    forecast_basis: Literal["measured", "contracted", "none"]
    forecast_at_completion: Decimal
    forecast_exceeds_budget: bool
    cap_reached: bool
    vendor_ids: list[int]
    lines: list[SpendLine]
    unpriced: list[UnpricedWork]


class BudgetEvaluationRead(BudgetSpendRead):
    alerted: bool
    suspended_vendor_ids: list[int]
