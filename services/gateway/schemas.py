"""API models of the gateway's own routes."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

Role = Literal["admin", "ops", "vendor_manager", "support", "analyst", "vendor", "contributor", "integration"]


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=10, max_length=200)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=1, max_length=128)
    roles: list[Role] = Field(min_length=1, max_length=8)
    vendor_id: int | None = Field(default=None, ge=1, strict=True)
    contributor_id: int | None = Field(default=None, ge=1, strict=True)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    roles: list[str]
    vendor_id: int | None
    contributor_id: int | None
    disabled: bool
    created_at: datetime


class UserPage(BaseModel):
    items: list[UserRead]
    next_cursor: str | None = None


class Me(BaseModel):
    subject: str
    id: int | None
    email: str | None
    roles: list[str]
    vendor_id: int | None
    contributor_id: int | None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Omit a field to leave it alone; roles and disabled cannot be null, the links can (null unlinks).
    roles: list[Role] = Field(default=None, min_length=1, max_length=8)  # type: ignore[assignment]
    disabled: bool = Field(default=None, strict=True)  # type: ignore[assignment]
    vendor_id: int | None = Field(default=None, ge=1, strict=True)
    contributor_id: int | None = Field(default=None, ge=1, strict=True)


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    roles: list[Role] = Field(min_length=1, max_length=8)
    vendor_id: int | None = Field(default=None, ge=1, strict=True)


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    roles: list[str]
    vendor_id: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="the secret, shown only in this response")


class ApiKeyPage(BaseModel):
    items: list[ApiKeyRead]
    next_cursor: str | None = None


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    ip: str | None
    detail: dict


class AuditEventPage(BaseModel):
    items: list[AuditEventRead]
    next_cursor: str | None = None
