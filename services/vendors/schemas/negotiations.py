"""API models: negotiation rounds on a contract's rates."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.vendors.schemas.base import Code, Read, RefId, Write
from services.vendors.schemas.rate_cards import RateLineIn


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
