"""API models of /api/v1/users."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from shared.auth import ROLES

Role = Literal[ROLES]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(max_length=254)
    display_name: DisplayName | None = Field(
        default=None, description="how people see the user (default: the email's name)"
    )
    password: str = Field(min_length=1, max_length=128)
    roles: list[Role] = Field(min_length=1, max_length=8)
    vendor_id: int | None = Field(default=None, ge=1, strict=True)
    contributor_id: int | None = Field(default=None, ge=1, strict=True)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    roles: list[str]
    vendor_id: int | None
    contributor_id: int | None
    disabled: bool
    created_at: datetime


class UserPage(BaseModel):
    items: list[UserRead]
    next_cursor: str | None = None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Omit a field to leave it alone; roles and disabled cannot be null, the links can (null unlinks).
    roles: list[Role] = Field(default=None, min_length=1, max_length=8)  # type: ignore[assignment]
    disabled: bool = Field(default=None, strict=True)  # type: ignore[assignment]
    display_name: DisplayName = None  # type: ignore[assignment]
    vendor_id: int | None = Field(default=None, ge=1, strict=True)
    contributor_id: int | None = Field(default=None, ge=1, strict=True)


class UserPseudonymise(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(None, min_length=1, max_length=500)


class UserRef(BaseModel):
    """A user as other services name it (an assignee, an escalation's lead), for `GET /internal/users/{id}`."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    display_name: str
    email: str
    roles: list[str]
    disabled: bool
    # Order this answer against `user.updated` events: a peer keeps the newest version's name, and a
    # newer user's (created later) where SQLite gave a deleted user's id to a new one.
    version: int
    created_at: datetime


class AgentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    display_name: str


class AgentList(BaseModel):
    items: list[AgentRead]
    next_cursor: str | None = None
