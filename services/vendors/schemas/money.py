"""API models: Budgets, invoices and scorecards."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field, StrictBool, model_validator

from services.vendors.schemas.base import (
    Code,
    Currency,
    Day,
    Language,
    Price,
    Read,
    RefId,
    Unit,
    Units,
    Write,
)

# --- budgets -------------------------------------------------------------------------------------


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


# --- invoices ------------------------------------------------------------------------------------


class InvoiceLineIn(Write):
    task_type: Code
    language: Language
    unit: Unit
    units_claimed: Units
    unit_price: Price


class InvoiceCreate(Write):
    vendor_id: RefId
    number: str = Field(min_length=1, max_length=50)
    currency: Currency
    period_start: Day
    period_end: Day
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def dates_in_order(self) -> "InvoiceCreate":
        if self.period_end < self.period_start:
            raise ValueError("period_end must not be before period_start")
        return self


class InvoiceRead(Read):
    id: int
    vendor_id: int
    contract_id: int | None
    number: str
    status: str
    currency: str
    period_start: date
    period_end: date
    lines: list[dict]
    total: Decimal
    status_note: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class InvoicePage(BaseModel):
    items: list[InvoiceRead]
    next_cursor: str | None = None


# --- scorecards ----------------------------------------------------------------------------------


class ScorecardCreate(Write):
    vendor_id: RefId
    period_start: Day
    period_end: Day

    @model_validator(mode="after")
    def dates_in_order(self) -> "ScorecardCreate":
        if self.period_end < self.period_start:
            raise ValueError("period_end must not be before period_start")
        return self


class ScorecardRead(Read):
    id: int
    vendor_id: int
    contract_id: int
    period_start: date
    period_end: date
    status: str
    result: dict
    created_at: datetime
    published_at: datetime | None


class ScorecardPage(BaseModel):
    items: list[ScorecardRead]
    next_cursor: str | None = None
