"""API models: vendor invoices."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from services.vendors.schemas.base import (
    Code,
    Currency,
    Day,
    Language,
    Price,
    Read,
    RefId,
    TransitionRequest,
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
    approved_total: Decimal | None = Field(
        default=None, description="set on approval: the claim, or only its supported part (approval_basis)"
    )
    approval_basis: Literal["reconciled", "override", "supported"] | None = None
    override_reason: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class InvoicePage(BaseModel):
    items: list[InvoiceRead]
    next_cursor: str | None = None


class InvoiceTransitionRequest(TransitionRequest):
    override_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="with to=approved: approve the claim despite open discrepancies, for this reason "
        "(audited); without it such an invoice is approved at its supported amount",
    )


class ContractSpanRead(BaseModel):
    contract_id: int | None = Field(description="null: no contract in force on these days")
    first_day: date
    last_day: date


class PricedSpanRead(ContractSpanRead):
    quantity: Decimal
    unit_price: Decimal | None = Field(description="the contract's base rate; null: unpriced")
    amount: Decimal


class ReconciledLineRead(BaseModel):
    task_type: str
    language: str
    unit: str | None
    claimed: bool
    measure: Literal["accepted_units", "handling_hours"]
    units_claimed: Decimal
    units_measured: Decimal
    units_unpriced: Decimal = Field(description="measured on days no contract prices this work")
    unit_difference: Decimal
    claimed_unit_price: Decimal | None
    contracted_unit_price: Decimal | None
    amount_claimed: Decimal
    amount_supported: Decimal
    discrepancy: Decimal
    status: Literal["matched", "over_claimed", "under_claimed", "unmeasured"]
    price_mismatch: bool
    unpriced: bool
    pricing: list[PricedSpanRead]


class UnpricedWorkRead(BaseModel):
    task_type: str
    language: str
    units_measured: Decimal
    hours_measured: Decimal
    first_day: date
    last_day: date


class InvoiceReconciliationRead(BaseModel):
    invoice_id: int
    currency: str
    contracts: list[ContractSpanRead]
    days_without_contract: list[ContractSpanRead]
    lines: list[ReconciledLineRead]
    unpriced_measured_work: list[UnpricedWorkRead]
    total_claimed: Decimal
    total_supported: Decimal
    total_discrepancy: Decimal
    supported_claim: Decimal = Field(description="what approving without an override pays")
    has_discrepancies: bool


class InvoiceAuditRead(Read):
    id: int
    invoice_id: int
    from_status: str
    to_status: str
    actor: str
    channel: Literal["api", "vms"]
    note: str | None
    override_reason: str | None
    approval_basis: str | None
    total_claimed: Decimal | None
    total_supported: Decimal | None
    approved_total: Decimal | None
    has_discrepancies: bool | None
    at: datetime


class InvoiceAuditPage(BaseModel):
    items: list[InvoiceAuditRead]
    next_cursor: str | None = None
