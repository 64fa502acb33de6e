"""API models of queues: permissions, their audit and bans."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from shared.types import Id, Timestamp


class QueueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str


class PermissionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contributor_id: Id | None = None
    vendor_id: Id | None = None
    crowd: StrictBool = False
    role: Literal["labeler", "reviewer"] = "labeler"
    expires_at: Timestamp | None = None

    @model_validator(mode="after")
    def _one_grantee(self) -> "PermissionCreate":
        if (self.contributor_id is not None) + (self.vendor_id is not None) + self.crowd != 1:
            raise ValueError("give exactly one of contributor_id, vendor_id or crowd=true")
        if self.expires_at is not None and self.expires_at.tzinfo is None:
            raise ValueError("expires_at needs a UTC offset")
        return self


class PermissionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    queue_id: int
    contributor_id: int | None
    vendor_id: int | None
    crowd: bool
    role: str
    expires_at: datetime | None
    source: str
    suspended: bool
    created_at: datetime
    revoked_at: datetime | None = None


class PermissionAuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    permission_id: int | None
    contributor_id: int | None
    vendor_id: int | None
    crowd: bool
    role: str | None
    expires_at: datetime | None
    queue_id: int
    action: str
    actor: str
    reason: str | None
    at: datetime


class QueueBanRead(BaseModel):
    id: int
    queue_id: int
    project_id: int
    contributor_id: int
    until: datetime | None = Field(description="null: until lifted")
    active: bool = Field(description="keeps the contributor off the queue now (not lifted, not past until)")
    reason: str
    rule_id: int | None = Field(description="null: the project's auto-revoke on drift")
    firing_id: int | None = Field(
        description="the quality rule firing, with its evidence, that imposed the ban (see /firings)"
    )
    created_at: datetime
    lifted_at: datetime | None
    lifted_by: str | None
