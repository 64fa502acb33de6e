"""API models: partner communications and their follow-ups."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictBool, model_validator

from services.vendors.schemas.base import Read, RefId, Write
from shared.types import Timestamp


class CommunicationCreate(Write):
    vendor_id: RefId | None = None
    prospect_name: str | None = Field(default=None, min_length=1, max_length=200)
    direction: Literal["inbound", "outbound"]
    channel: Literal["email", "linkedin", "web_form", "call"]
    subject: str = Field(min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=10000)
    occurred_at: Timestamp
    follow_up_due_at: Timestamp | None = None

    @model_validator(mode="after")
    def names_a_party(self) -> "CommunicationCreate":
        if (self.vendor_id is None) == (self.prospect_name is None):
            raise ValueError("give exactly one of vendor_id (a vendor) or prospect_name (a prospect)")
        return self


class CommunicationUpdate(Write):
    follow_up_due_at: Timestamp | None = None
    follow_up_done: StrictBool | None = None


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
