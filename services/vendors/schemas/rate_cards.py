"""API models: a contract's rate card and a price quote from it."""

from decimal import Decimal

from pydantic import BaseModel, Field

from services.vendors.schemas.base import Code, Language, Price, Unit, Units, Write


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
