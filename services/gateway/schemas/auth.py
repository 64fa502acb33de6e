"""API models of /api/v1/auth: tokens and who the caller is."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=10, max_length=200)


class Me(BaseModel):
    subject: str
    id: int | None
    email: str | None
    display_name: str | None
    roles: list[str]
    vendor_id: int | None
    contributor_id: int | None
