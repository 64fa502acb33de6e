"""API models: outbound webhook subscriptions and their deliveries."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.vendors.schemas.base import Read, Write

OUTBOUND_EVENT_TYPES = (
    "contract.activated",
    "invoice.submitted",
    "invoice.approved",
    "scorecard.published",
    "budget.alert",
    "contributor.upserted",
    "contributor.erased",
    "contributor.*",
    "wellness.support_requested",
    "wellness.break_started",
    "wellness.cap_reached",
    "wellness.*",
    "ticket.escalated",
    "ticket.sla_warning",
    "ticket.sla_breached",
    "ticket.*",
)


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
