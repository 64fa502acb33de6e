"""API models of a contributor's qualifications."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.contributors.schemas.common import Flag, strict_int
from shared.types import Timestamp

QualificationName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$", min_length=1, max_length=100)
]


class QualificationUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: strict_int(0, 100)
    passed: Flag
    expires_at: Timestamp | None = None
    source: Literal["exam", "gold", "manual"]


class QualificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    score: int
    passed: bool
    expires_at: datetime | None
    source: str
    expired: bool
    counts: bool = Field(description="passed and not expired: what assignment may rely on")
    retest_required: bool
    retest_reason: str | None
    retest_flagged_at: datetime | None
    awarded_at: datetime
    updated_at: datetime


class QualificationList(BaseModel):
    contributor_id: int
    items: list[QualificationRead]
