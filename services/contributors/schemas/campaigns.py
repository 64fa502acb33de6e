"""API models of recruitment campaigns and funnel reports."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.contributors.schemas.common import Country, IsoDate, Name, SourceChannel, unique
from shared.languages import LanguageTag

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
TargetLanguages = Annotated[
    list[LanguageTag], Field(max_length=50), AfterValidator(lambda v: unique(v, "language"))
]
TargetCountries = Annotated[
    list[Country], Field(max_length=250), AfterValidator(lambda v: unique(v, "country"))
]


def _budget_has_currency(budget: Decimal | None, currency: str | None) -> None:
    if (budget is None) != (currency is None):
        raise ValueError("budget and currency go together: give both or neither")


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    channel: SourceChannel
    target_languages: TargetLanguages = Field(default_factory=list)
    target_countries: TargetCountries = Field(default_factory=list)
    budget: Money | None = Field(default=None, description='total spend, a decimal string such as "1500.00"')
    currency: Currency | None = Field(default=None, description="ISO 4217 code of the budget")
    starts_on: IsoDate
    ends_on: IsoDate | None = None

    @model_validator(mode="after")
    def consistent(self) -> "CampaignCreate":
        _budget_has_currency(self.budget, self.currency)
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class CampaignUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = None  # type: ignore[assignment]
    channel: SourceChannel = None  # type: ignore[assignment]
    target_languages: TargetLanguages = None  # type: ignore[assignment]
    target_countries: TargetCountries = None  # type: ignore[assignment]
    budget: Money | None = None
    currency: Currency | None = None
    starts_on: IsoDate = None  # type: ignore[assignment]
    ends_on: IsoDate | None = None


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    channel: str
    target_languages: list[str]
    target_countries: list[str]
    budget: Decimal | None
    currency: str | None
    starts_on: date
    ends_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime


class CampaignPage(BaseModel):
    items: list[CampaignRead]
    next_cursor: str | None = None


class FunnelRow(BaseModel):
    key: str | None = Field(description="campaign id or channel; null groups contributors without one")
    campaign_name: str | None = None
    applied: int
    screened: int
    activated: int
    activation_rate: float | None
    median_seconds_to_activate: float | None
    median_days_to_activate: float | None
    budget: Decimal | None
    currency: str | None
    cost_per_active: Decimal | None


class FunnelReport(BaseModel):
    group_by: Literal["campaign", "channel"]
    # The window of application times the figures cover (null: open at that end).
    since: datetime | None
    until: datetime | None
    rows: list[FunnelRow]


class CampaignFunnel(BaseModel):
    campaign_id: int
    total: FunnelRow
    by_channel: list[FunnelRow]
