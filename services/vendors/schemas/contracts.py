"""API models: Contracts, rate cards, benchmarks and negotiation rounds."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, model_validator

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
    not_a_bool,
)

# --- contracts -----------------------------------------------------------------------------------


class SLATermsIn(Write):
    min_quality: Annotated[Decimal, BeforeValidator(not_a_bool)] | None = Field(
        default=None, ge=0, le=1, max_digits=6, decimal_places=4
    )
    max_turnaround_hours: Annotated[Decimal, BeforeValidator(not_a_bool)] | None = Field(
        default=None, gt=0, le=10000, max_digits=10, decimal_places=2
    )
    min_productivity_per_hour: Annotated[Decimal, BeforeValidator(not_a_bool)] | None = Field(
        default=None, gt=0, le=100000, max_digits=10, decimal_places=2
    )
    max_daily_exposure_minutes: Annotated[Decimal, BeforeValidator(not_a_bool)] | None = Field(
        default=None, gt=0, le=1440, max_digits=8, decimal_places=2
    )


class CreditRuleIn(Write):
    term: Literal["quality", "turnaround_hours", "productivity_per_hour", "daily_exposure_minutes"]
    percent_per_point: Annotated[Decimal, BeforeValidator(not_a_bool)] = Field(
        ge=0, le=100, max_digits=7, decimal_places=4
    )
    cap_percent: Annotated[Decimal, BeforeValidator(not_a_bool)] = Field(
        ge=0, le=100, max_digits=7, decimal_places=4
    )


class ContractCreate(Write):
    vendor_id: RefId
    title: str = Field(min_length=1, max_length=200)
    starts_on: Day
    ends_on: Day
    currency: Currency
    payment_terms_days: int = Field(strict=True, ge=0, le=365)
    sla_terms: SLATermsIn = Field(default_factory=SLATermsIn)
    credit_rules: list[CreditRuleIn] = Field(default_factory=list, max_length=4)

    @model_validator(mode="after")
    def dates_in_order(self) -> "ContractCreate":
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class ContractUpdate(Write):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    starts_on: Day | None = None
    ends_on: Day | None = None
    payment_terms_days: int | None = Field(default=None, strict=True, ge=0, le=365)
    sla_terms: SLATermsIn | None = None
    credit_rules: list[CreditRuleIn] | None = Field(default=None, max_length=4)


class ContractRead(Read):
    id: int
    vendor_id: int
    title: str
    status: str
    starts_on: date
    ends_on: date
    currency: str
    payment_terms_days: int
    sla_terms: dict
    credit_rules: list[dict]
    version: int
    created_at: datetime
    updated_at: datetime


class ContractPage(BaseModel):
    items: list[ContractRead]
    next_cursor: str | None = None


class ContractVersionRead(Read):
    version: int
    snapshot: dict
    changed_by: str
    created_at: datetime


# --- rate cards ----------------------------------------------------------------------------------


class TierIn(Write):
    from_units: Units = Field(gt=0)
    unit_price: Price


class RateLineIn(Write):
    task_type: Code
    language: Language
    unit: Unit
    unit_price: Price
    tiers: list[TierIn] = Field(default_factory=list, max_length=20)


class RateCardWrite(Write):
    lines: list[RateLineIn] = Field(max_length=500)


class RateLineRead(BaseModel):
    task_type: str
    language: str
    unit: str
    unit_price: Decimal
    tiers: list[dict]


class RateCardRead(BaseModel):
    contract_id: int
    vendor_id: int
    currency: str
    lines: list[RateLineRead]


class PriceQuote(BaseModel):
    vendor_id: int
    contract_id: int
    task_type: str
    language: str
    unit: str
    units: Decimal
    currency: str
    amount: Decimal
    matched_language: str


# --- benchmarks and negotiation ------------------------------------------------------------------


class BenchmarkCreate(Write):
    task_type: Code
    language: Language
    region: Code
    unit: Unit
    currency: Currency
    p25: Price
    median: Price = Field(gt=0)
    p75: Price
    source: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def quartiles_in_order(self) -> "BenchmarkCreate":
        if not self.p25 <= self.median <= self.p75:
            raise ValueError("benchmark must satisfy p25 <= median <= p75")
        return self


class BenchmarkRead(Read):
    id: int
    task_type: str
    language: str
    region: str
    unit: str
    currency: str
    p25: Decimal
    median: Decimal
    p75: Decimal
    source: str | None
    updated_at: datetime


class BenchmarkPage(BaseModel):
    items: list[BenchmarkRead]
    next_cursor: str | None = None


class BenchmarkImportResult(BaseModel):
    created: int
    updated: int


class NegotiationCreate(Write):
    contract_id: RefId
    proposed_by: Literal["vendor", "client"]
    region: Code
    note: str | None = Field(default=None, max_length=5000)
    lines: list[RateLineIn] = Field(min_length=1, max_length=500)


class NegotiationRead(Read):
    id: int
    contract_id: int
    proposed_by: str
    region: str
    status: str
    note: str | None
    lines: list[dict]
    created_by: str
    created_at: datetime
    decided_at: datetime | None
    currency: str | None = None


class NegotiationPage(BaseModel):
    items: list[NegotiationRead]
    next_cursor: str | None = None
