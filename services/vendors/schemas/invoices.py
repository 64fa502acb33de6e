"""API models: vendor invoices."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

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
