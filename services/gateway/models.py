"""Tables of the gateway: users and their refresh tokens (its own metadata)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from shared.db import UTCDateTime, make_base, utcnow
from shared.events import define_event_tables

Base = make_base()

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit on a forward path
DISPLAY_NAME_MAX_LENGTH = 200


class User(Base, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX_LENGTH, unique=True)
    # How people see the user where it is named (a ticket's assignee, an escalation's lead): personal data.
    display_name: str = Field(max_length=DISPLAY_NAME_MAX_LENGTH)
    password_hash: str = Field(max_length=255)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    vendor_id: int | None = Field(default=None)
    contributor_id: int | None = Field(default=None)
    disabled: bool = Field(default=False)
    # Moved by every change; peers holding the user's name keep the newest version's (`user.updated`).
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RefreshToken(Base, table=True):
    """A refresh token, stored only as its SHA-256; rotation chains tokens into one family."""

    __tablename__ = "refresh_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    family_id: str = Field(max_length=36, foreign_key="auth_sessions.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiKey(Base, table=True):
    """A machine credential (`lo_…`): shown once, stored as its SHA-256, revocable."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    key_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    vendor_id: int | None = Field(default=None)
    # The user who created it; none when an admin API key did (the audit log names that key).
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEvent(Base, table=True):
    """A security-relevant action: who, what, on what, from where."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=100, index=True)
    action: str = Field(max_length=50, index=True)
    # As long as an email: a failed login names the email it was tried with.
    target: str | None = Field(default=None, max_length=EMAIL_MAX_LENGTH)
    ip: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AuthSession(Base, table=True):
    """One login: its refresh tokens rotate within it; revoking it ends its access tokens at once."""

    __tablename__ = "auth_sessions"

    id: str = Field(primary_key=True, max_length=36)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The gateway publishes user changes (service/publishing.py) and receives contributor status changes
# (events.py), deduplicated in the inbox.
event_tables = define_event_tables(Base.metadata)
