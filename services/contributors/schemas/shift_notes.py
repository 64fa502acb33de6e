"""API models of shift notes: what one shift hands over to the next, addressed to a team."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.contributors.schemas.common import Flag
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
    owner: Owner = Field(description="who takes it on (a name, handle or team member)")
    due_at: Timestamp | None = None


class ShiftNoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team: Team = Field(description="the team the note is for")
    subject: Subject
    body: Body
    follow_ups: Annotated[list[FollowUpCreate], Field(max_length=50)] = Field(default_factory=list)


class FollowUpUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    done: Flag = Field(description="true marks it done (now, by the caller); false reopens it")


class FollowUpRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    note_id: int
    description: str
    owner: str
    due_at: datetime | None
    done: bool
    done_at: datetime | None
    done_by: str | None
    created_at: datetime


class ShiftNoteRead(BaseModel):
    id: int
    team: Team
    subject: str
    body: str
    author: str
    created_at: datetime
    follow_ups: list[FollowUpRead]


class ShiftNotePage(BaseModel):
    items: list[ShiftNoteRead]
    next_cursor: str | None = None


ShiftNoteSort = Literal["id", "-id", "created_at", "-created_at"]
