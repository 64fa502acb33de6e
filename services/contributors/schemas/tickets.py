"""API models of support tickets."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.contributors.rules.tickets import (
    SlaKind,
    TicketCategory,
    TicketChannel,
    TicketPriority,
    TicketStatus,
)
from services.contributors.schemas.common import BodyId, Flag

Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Handle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Contact = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]


class TicketCreate(BaseModel):
    """A contributor's query. Staff may log one for a known contributor or for a requester by contact."""

    model_config = ConfigDict(extra="forbid")

    contributor_id: BodyId | None = None
    requester_name: Handle | None = None
    requester_contact: Contact | None = Field(
        default=None, description="email or handle (e.g. Discord) when no contributor is known"
    )
    channel: TicketChannel
    category: TicketCategory
    priority: TicketPriority = TicketPriority.P3
    subject: Subject
    body: Body


class TicketUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    priority: TicketPriority = None  # type: ignore[assignment]
    category: TicketCategory = None  # type: ignore[assignment]
    subject: Subject = None  # type: ignore[assignment]
    assignee: Handle | None = None


class TicketTransition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: TicketStatus
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] | None = (
        None
    )


class TicketEscalation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lead: Handle = Field(description="the named lead who takes the ticket over")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    priority: TicketPriority | None = Field(default=None, description="raise (or set) the priority too")


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Body
    internal: Flag = Field(default=False, description="a staff-only note; never a first response")


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ticket_id: int
    author: str
    author_kind: Literal["staff", "contributor", "requester"]
    body: str
    internal: bool
    created_at: datetime


class MessagePage(BaseModel):
    items: list[MessageRead]
    next_cursor: str | None = None


class TicketEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    from_value: str | None
    to_value: str | None
    note: str | None
    actor: str
    at: datetime


class TicketRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    contributor_id: int | None
    requester_name: str | None
    requester_contact: str | None
    channel: TicketChannel
    category: TicketCategory
    priority: TicketPriority
    status: TicketStatus
    subject: str
    assignee: str | None
    escalated_to: str | None
    escalation_reason: str | None
    escalated_at: datetime | None
    first_response_at: datetime | None
    first_response_seconds: float | None
    resolved_at: datetime | None
    closed_at: datetime | None
    first_response_due: datetime
    resolution_due: datetime = Field(description="moves later by the time spent waiting on the contributor")
    waiting_seconds: int
    waiting_since: datetime | None
    overdue: bool
    sla_breaches: list[SlaKind]
    version: int
    created_at: datetime
    updated_at: datetime


class TicketPage(BaseModel):
    items: list[TicketRead]
    next_cursor: str | None = None


class TicketDetail(TicketRead):
    history: list[TicketEventRead]


TicketSort = Literal[
    "id", "-id", "created_at", "-created_at", "updated_at", "-updated_at",
    "first_response_due", "-first_response_due", "resolution_due", "-resolution_due", "priority", "-priority",
]  # fmt: skip


class TicketFilters(BaseModel):
    status: list[TicketStatus] = Field(default_factory=list)
    priority: list[TicketPriority] = Field(default_factory=list)
    channel: list[TicketChannel] = Field(default_factory=list)
    category: list[TicketCategory] = Field(default_factory=list)
    assignee: str | None = None
    unassigned: bool | None = None
    contributor_id: int | None = None
    escalated: bool | None = None
    overdue: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
