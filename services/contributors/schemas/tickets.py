"""API models of support tickets."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.contributors.rules.inbox import normalized_tags, placeholders_in
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
Tags = Annotated[list[str], Field(max_length=20), AfterValidator(normalized_tags)]


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
    priority: TicketPriority | None = Field(
        default=None, description="support staff only (P3 when not given)"
    )
    subject: Subject
    body: Body
    tags: Tags = Field(default_factory=list, description="support staff only")


class TicketUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    priority: TicketPriority = None  # type: ignore[assignment]
    category: TicketCategory = None  # type: ignore[assignment]
    subject: Subject = None  # type: ignore[assignment]
    assignee_id: BodyId | None = Field(
        default=None, description="a support user (admin, ops, support); null unassigns"
    )
    contributor_id: BodyId = Field(
        default=None, description="link the ticket to the contributor who wrote in"
    )  # type: ignore[assignment]
    tags: Tags = Field(default=None, description="the ticket's tags, replacing the ones it has")  # type: ignore[assignment]


class TicketTransition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: TicketStatus
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] | None = (
        None
    )


class TicketEscalation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lead_id: BodyId = Field(description="the support user who takes the ticket over (and is told at once)")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    priority: TicketPriority | None = Field(default=None, description="raise (or set) the priority too")


class MessageCreate(BaseModel):
    """A reply: its own `body`, or a canned reply filled in for the ticket (staff)."""

    model_config = ConfigDict(extra="forbid")

    body: Body | None = None
    canned_reply_id: BodyId | None = None
    internal: Flag = Field(default=False, description="a staff-only note; never a first response")

    @model_validator(mode="after")
    def one_text(self) -> "MessageCreate":
        if (self.body is None) == (self.canned_reply_id is None):
            raise ValueError("give either body or canned_reply_id")
        return self


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


class AgentRef(BaseModel):
    """A support user as a ticket names it; `id` null for a name written before agents were users."""

    id: int | None
    display_name: str


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
    assignee: AgentRef | None = Field(description="support staff only (null to the contributor)")
    escalated_to: AgentRef | None = Field(description="support staff only")
    escalation_reason: str | None = Field(description="support staff only")
    escalated_at: datetime | None
    tags: list[str] = Field(description="support staff only (empty to the contributor)")
    merged_into_id: int | None = Field(description="the ticket this one was merged into")
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
    assignee_id: int | None = None
    unassigned: bool | None = None
    contributor_id: int | None = None
    escalated: bool | None = None
    overdue: bool | None = None
    created_since: datetime | None = None
    created_until: datetime | None = None
    tag: list[str] = Field(default_factory=list)
    q: list[str] = Field(default_factory=list, description="search terms, every one must match")


CannedName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def _known_placeholders(body: str) -> str:
    placeholders_in(body)
    return body


CannedBody = Annotated[Body, AfterValidator(_known_placeholders)]


class CannedReplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: CannedName
    body: CannedBody = Field(
        description="placeholders: {ticket_id} {subject} {requester_name} {contributor_name} {agent}"
    )


class CannedReplyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: CannedName = None  # type: ignore[assignment]
    body: CannedBody = None  # type: ignore[assignment]


class CannedReplyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    body: str
    created_by: str
    version: int
    created_at: datetime
    updated_at: datetime


class CannedReplyPage(BaseModel):
    items: list[CannedReplyRead]
    next_cursor: str | None = None


class BulkReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Body | None = None
    canned_reply_id: BodyId | None = None
    internal: Flag = False

    @model_validator(mode="after")
    def one_text(self) -> "BulkReply":
        if (self.body is None) == (self.canned_reply_id is None):
            raise ValueError("give either body or canned_reply_id")
        return self


class BulkTicketUpdate(BaseModel):
    """One change to many tickets (an outage's 205 tickets in one call): each ticket is changed whole or
    not at all, and the answer says which."""

    model_config = ConfigDict(extra="forbid")

    ticket_ids: Annotated[list[BodyId], Field(min_length=1, max_length=500)]
    status: TicketStatus | None = Field(default=None, description="`closed` resolves first where needed")
    priority: TicketPriority | None = None
    category: TicketCategory | None = None
    assignee_id: BodyId | None = None
    add_tags: Tags = Field(default_factory=list)
    remove_tags: Tags = Field(default_factory=list)
    reply: BulkReply | None = Field(default=None, description="sent on each ticket before the status change")

    @model_validator(mode="after")
    def something_to_do(self) -> "BulkTicketUpdate":
        if len(set(self.ticket_ids)) != len(self.ticket_ids):
            raise ValueError("ticket_ids repeats a ticket")
        if not self.model_fields_set - {"ticket_ids"}:
            raise ValueError("nothing to change")
        return self


class BulkOutcome(BaseModel):
    ticket_id: int
    ok: bool
    status: int = Field(description="the HTTP status this ticket alone would have answered")
    detail: str | None = None


class BulkResult(BaseModel):
    items: list[BulkOutcome]
    changed: int
    failed: int


class TicketMerge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into_ticket_id: BodyId = Field(description="the ticket that carries both threads on")
