"""API models: project budgets."""

from datetime import date, datetime
from decimal import Decimal

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
