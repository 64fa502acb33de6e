"""API models: contracts, their SLA terms, credit rules and versions."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, model_validator

from services.vendors.schemas.base import Currency, Day, Read, RefId, Write, not_a_bool


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
