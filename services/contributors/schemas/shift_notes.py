"""API models of shift notes: what one shift hands over to the next, addressed to a team."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.contributors.schemas.common import BodyId, Flag
from shared.types import Timestamp

Team = Literal["relationship_managers", "community_leads", "delivery", "training"]
TEAMS: tuple[str, ...] = Team.__args__  # type: ignore[attr-defined]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Owner = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class FollowUpCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Description
    owner_id: BodyId | None = Field(
        default=None, description="who takes it on: a staff user who may write shift notes (GET /agents)"
    )
    owner: Owner | None = Field(
        default=None, description="instead of owner_id, a name that is no user (a team, a partner)"
    )
    due_at: Timestamp | None = None

    @model_validator(mode="after")
    def _one_owner(self) -> "FollowUpCreate":
        if (self.owner_id is None) == (self.owner is None):
            raise ValueError("name the owner by owner_id (a user) or owner (a name), one of the two")
        return self


class ShiftNoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team: Team = Field(description="the team the note is for")
    subject: Subject
    body: Body
    follow_ups: Annotated[list[FollowUpCreate], Field(max_length=50)] = Field(default_factory=list)


class FollowUpUpdate(BaseModel):
    """What the shift changes of a follow-up; fields left out stay as they are (one at least)."""

    model_config = ConfigDict(extra="forbid")

    done: Flag = Field(default=None, description="true marks it done (now, by the caller); false reopens it")  # type: ignore[assignment]
    description: Description = None  # type: ignore[assignment]
    owner_id: BodyId = Field(default=None, description="hand it to this user (see owner_id on create)")  # type: ignore[assignment]
    due_at: Timestamp | None = Field(default=None, description="a new due time; null: no due time")

    @model_validator(mode="after")
    def _something_to_change(self) -> "FollowUpUpdate":
        # An explicit null of done, description or owner_id is refused by their types.
        if not self.model_fields_set:
            raise ValueError("nothing to change: send done, description, owner_id or due_at")
        return self


class FollowUpRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    note_id: int
    description: str
    owner: str = Field(description="the owner's display name")
    owner_id: int | None = Field(description="the owner's user id; null for a name that is no user")
    due_at: datetime | None
    done: bool
    done_at: datetime | None
    done_by: str | None
    created_at: datetime
    version: int = Field(description='an edit sends it back as `If-Match: "{id}-{version}"`')


class ShiftNoteRead(BaseModel):
    id: int
    team: Team
    subject: str
    body: str
    author: str
    created_at: datetime
    follow_ups: list[FollowUpRead]


class FollowUpChangeRead(BaseModel):
    """Who changed what of a follow-up: `field` is added, description, owner, due_at, done or reopened."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    follow_up_id: int
    field: str
    from_value: str | None
    to_value: str | None
    actor: str
    at: datetime


class FollowUpChangePage(BaseModel):
    items: list[FollowUpChangeRead]


class ShiftNotePage(BaseModel):
    items: list[ShiftNoteRead]
    next_cursor: str | None = None


ShiftNoteSort = Literal["id", "-id", "created_at", "-created_at"]
