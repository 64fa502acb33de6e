"""Tables of the gateway: users and their refresh tokens (its own metadata)."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field

from shared.db import UTCDateTime, make_base, utcnow

Base = make_base()


class User(Base, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    vendor_id: int | None = Field(default=None)
    contributor_id: int | None = Field(default=None)
    disabled: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RefreshToken(Base, table=True):
    """A refresh token, stored only as its SHA-256; rotation chains tokens into one family."""

    __tablename__ = "refresh_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    family_id: str = Field(max_length=36, index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
