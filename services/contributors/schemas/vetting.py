"""API models of a contributor's vetting for harmful content."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.contributors.schemas.common import Reason
from shared.types import Timestamp


class VettingCreate(BaseModel):
    """Vet (or re-vet) a contributor for harmful content; a new vetting replaces the current one."""

    model_config = ConfigDict(extra="forbid")

    expires_at: Timestamp | None = Field(
        None, description="when it lapses (e.g. the next re-check); none: until revoked"
    )
    reason: Reason | None = Field(None, description="what was checked, e.g. a background check reference")


class VettingStatus(BaseModel):
    """The current vetting of a contributor."""

    contributor_id: int
    vetted: bool = Field(description="vetted and not expired: what assignment relies on")
    vetted_at: datetime | None
    vetted_by: str | None
    expires_at: datetime | None
    expired: bool


VettingAction = Literal["vetted", "revoked"]


class VettingChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action: VettingAction
    expires_at: datetime | None
    reason: str | None
    actor: str
    at: datetime


class VettingChangePage(BaseModel):
    items: list[VettingChangeRead]
    next_cursor: str | None = None
