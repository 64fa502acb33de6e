"""API models of the vendors service: <Thing>Create / <Thing>Update / <Thing>Read.

Money is `Decimal` in and out (serialized as a JSON string); a currency always travels with it.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, model_validator

from services.vendors.money import validate_currency

Name = Annotated[str, Field(min_length=1, max_length=200)]
Code = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.:-]+$")]
Language = Annotated[
    str, Field(min_length=1, max_length=35, pattern=r"^(\*|[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*)$")
]
Country = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(validate_currency)]
Price = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)]
Units = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4)]
Unit = Literal["task", "hour", "item"]


class Write(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- vendors -------------------------------------------------------------------------------------


class Site(Write):
    country: Country
    timezone: str = Field(min_length=1, max_length=64)
    headcount: int = Field(ge=0, le=1_000_000)


class Contact(Write):
    name: Name
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    role: str | None = Field(default=None, max_length=100)


class VendorCreate(Write):
    name: Name
    legal_name: str | None = Field(default=None, max_length=300)
    country: Country
    external_vms_id: str | None = Field(default=None, max_length=100)
    sites: list[Site] = Field(default_factory=list, max_length=100)
    languages: list[Language] = Field(default_factory=list, max_length=100)
    skills: list[Code] = Field(default_factory=list, max_length=100)
    contacts: list[Contact] = Field(default_factory=list, max_length=50)


class VendorUpdate(Write):
    name: Name | None = None
    legal_name: str | None = Field(default=None, max_length=300)
    country: Country | None = None
    external_vms_id: str | None = Field(default=None, max_length=100)
    sites: list[Site] | None = Field(default=None, max_length=100)
    languages: list[Language] | None = Field(default=None, max_length=100)
    skills: list[Code] | None = Field(default=None, max_length=100)
    contacts: list[Contact] | None = Field(default=None, max_length=50)


class VendorRead(Read):
    id: int
    name: str
    legal_name: str | None
    country: str
    status: str
    external_vms_id: str | None
    sites: list[dict]
    languages: list[str]
    skills: list[str]
    contacts: list[dict]
    version: int
    created_at: datetime
    updated_at: datetime


class VendorPage(BaseModel):
    items: list[VendorRead]
    next_cursor: str | None = None


class TransitionRequest(Write):
    to: str = Field(min_length=1, max_length=20)
    reason: str | None = Field(default=None, max_length=500)


# --- communications ------------------------------------------------------------------------------


class CommunicationCreate(Write):
    vendor_id: int | None = Field(default=None, ge=1)
    prospect_name: str | None = Field(default=None, min_length=1, max_length=200)
    direction: Literal["inbound", "outbound"]
    channel: Literal["email", "linkedin", "web_form", "call"]
    subject: str = Field(min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=10000)
    occurred_at: datetime
    follow_up_due_at: datetime | None = None

    @model_validator(mode="after")
    def names_a_party(self) -> "CommunicationCreate":
        if (self.vendor_id is None) == (self.prospect_name is None):
            raise ValueError("give exactly one of vendor_id (a vendor) or prospect_name (a prospect)")
        return self


class CommunicationUpdate(Write):
    follow_up_due_at: datetime | None = None
    follow_up_done: bool | None = None


class CommunicationRead(Read):
    id: int
    vendor_id: int | None
    prospect_name: str | None
    direction: str
    channel: str
    subject: str
    body: str | None
    occurred_at: datetime
    follow_up_due_at: datetime | None
    follow_up_done_at: datetime | None
    recorded_by: str
    created_at: datetime


class CommunicationPage(BaseModel):
    items: list[CommunicationRead]
    next_cursor: str | None = None


# --- contracts -----------------------------------------------------------------------------------


class SLATermsIn(Write):
    min_quality: Decimal | None = Field(default=None, ge=0, le=1, max_digits=6, decimal_places=4)
    max_turnaround_hours: Decimal | None = Field(
        default=None, gt=0, le=10000, max_digits=10, decimal_places=2
    )
    min_productivity_per_hour: Decimal | None = Field(
        default=None, gt=0, le=100000, max_digits=10, decimal_places=2
    )
    max_daily_exposure_minutes: Decimal | None = Field(
        default=None, gt=0, le=1440, max_digits=8, decimal_places=2
    )


class CreditRuleIn(Write):
    term: Literal["quality", "turnaround_hours", "productivity_per_hour", "daily_exposure_minutes"]
    percent_per_point: Decimal = Field(ge=0, le=100, max_digits=7, decimal_places=4)
    cap_percent: Decimal = Field(ge=0, le=100, max_digits=7, decimal_places=4)


class ContractCreate(Write):
    vendor_id: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=200)
    starts_on: date
    ends_on: date
    currency: Currency
    payment_terms_days: int = Field(ge=0, le=365)
    sla_terms: SLATermsIn = Field(default_factory=SLATermsIn)
    credit_rules: list[CreditRuleIn] = Field(default_factory=list, max_length=4)

    @model_validator(mode="after")
    def dates_in_order(self) -> "ContractCreate":
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class ContractUpdate(Write):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)
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
    contract_id: int = Field(ge=1)
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


# --- budgets -------------------------------------------------------------------------------------


class BudgetCreate(Write):
    project_id: int = Field(ge=1)
    vendor_id: int | None = Field(default=None, ge=1)
    amount: Price = Field(gt=0)
    currency: Currency
    period_start: date
    period_end: date
    hard_cap: bool = False

    @model_validator(mode="after")
    def dates_in_order(self) -> "BudgetCreate":
        if self.period_end < self.period_start:
            raise ValueError("period_end must not be before period_start")
        return self


class BudgetUpdate(Write):
    amount: Price | None = Field(default=None, gt=0)
    hard_cap: bool | None = None


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
    vendor_id: int = Field(ge=1)
    number: str = Field(min_length=1, max_length=50)
    currency: Currency
    period_start: date
    period_end: date
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
    vendor_id: int = Field(ge=1)
    period_start: date
    period_end: date

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


# --- webhooks ------------------------------------------------------------------------------------

OUTBOUND_EVENT_TYPES = (
    "contract.activated",
    "invoice.submitted",
    "invoice.approved",
    "scorecard.published",
    "budget.alert",
    "contributor.upserted",
    "contributor.erased",
    "contributor.*",
)


class VmsSourceCreate(Write):
    source: Code
    secret: str | None = Field(
        default=None, min_length=30, max_length=200, pattern=r"^(whsec_)?[A-Za-z0-9+/=]+$"
    )


class VmsSourceRead(Read):
    id: int
    source: str
    created_at: datetime


class VmsSourceCreated(VmsSourceRead):
    secret: str


class SubscriptionCreate(Write):
    url: str = Field(min_length=1, max_length=2048)
    event_types: list[Literal[OUTBOUND_EVENT_TYPES]] = Field(min_length=1, max_length=10)  # type: ignore[valid-type]
    description: str | None = Field(default=None, max_length=300)


class SubscriptionUpdate(Write):
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    event_types: list[Literal[OUTBOUND_EVENT_TYPES]] | None = Field(default=None, min_length=1, max_length=10)  # type: ignore[valid-type]
    description: str | None = Field(default=None, max_length=300)
    status: Literal["active", "disabled"] | None = None


class SubscriptionRead(Read):
    id: int
    url: str
    event_types: list[str]
    status: str
    disabled_reason: str | None
    description: str | None
    version: int
    created_at: datetime


class SubscriptionCreated(SubscriptionRead):
    secret: str


class SubscriptionPage(BaseModel):
    items: list[SubscriptionRead]
    next_cursor: str | None = None


class DeliveryRead(Read):
    id: int
    subscription_id: int
    message_id: str
    event_type: str
    payload: dict
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    log: list[dict]
    created_at: datetime
    delivered_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: str | None = None


class InboundResult(BaseModel):
    status: Literal["processed", "duplicate"]
    webhook_id: str
    outcome: str | None = None
