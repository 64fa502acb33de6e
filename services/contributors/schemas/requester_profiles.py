"""API models of requester profiles: the handles someone writes to support from, and their contributor."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from services.contributors.schemas.common import BodyId, Name

DiscordId = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,20}$")]
DiscordUsername = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Telegram = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ().-]{3,32}$", max_length=32)]


class RequesterProfileCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contributor_id: BodyId | None = Field(default=None, description="the contributor these handles belong to")
    display_name: Name | None = None
    email: EmailStr | None = None
    discord_user_id: DiscordId | None = Field(default=None, description="the Discord user's snowflake id")
    discord_username: DiscordUsername | None = None
    telegram: Telegram | None = None
    phone: Phone | None = None

    @model_validator(mode="after")
    def names_a_handle(self) -> "RequesterProfileCreate":
        if not any((self.email, self.discord_user_id, self.telegram, self.phone)):
            raise ValueError("give at least one handle: email, discord_user_id, telegram or phone")
        return self


class RequesterProfileUpdate(BaseModel):
    """Set a field to change it, to null to clear it; unset fields stay."""

    model_config = ConfigDict(extra="forbid")

    contributor_id: BodyId | None = None
    display_name: Name | None = None
    email: EmailStr | None = None
    discord_user_id: DiscordId | None = None
    discord_username: DiscordUsername | None = None
    telegram: Telegram | None = None
    phone: Phone | None = None


class RequesterProfileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    contributor_id: int | None
    display_name: str | None
    email: str | None
    discord_user_id: str | None
    discord_username: str | None
    telegram: str | None
    phone: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class RequesterProfilePage(BaseModel):
    items: list[RequesterProfileRead]
    next_cursor: str | None = None


class RequesterProfileFilters(BaseModel):
    contributor_id: int | None = None
    email: str | None = None
    discord_user_id: str | None = None
