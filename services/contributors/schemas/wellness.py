"""API models of wellness: exposure, caps, breaks, check-ins, opt-out and vendor policies."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.contributors.schemas.common import Flag, strict_int

DayMinutes = strict_int(0, 1440)


class Caps(BaseModel):
    low: int
    medium: int
    high: int


class SeverityMinutes(BaseModel):
    none: float
    low: float
    medium: float
    high: float


class PolicyRead(BaseModel):
    daily_caps_minutes: Caps
    continuous_limit_minutes: int
    break_minutes: int
    source: Literal["global", "vendor"]
    vendor_id: int | None = None


class DayExposure(BaseModel):
    date: date
    minutes: SeverityMinutes


class CheckInRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    contributor_id: int
    mood: int
    stress: int
    note: str | None
    wants_support: bool
    recorded_by: str
    created_at: datetime


class CheckInPage(BaseModel):
    items: list[CheckInRead]
    next_cursor: str | None = None


class WellnessRead(BaseModel):
    contributor_id: int
    timezone: str
    local_date: date
    opted_out_harmful: bool
    policy: PolicyRead
    today_minutes: SeverityMinutes
    remaining_minutes: Caps | None = Field(description="per capped severity, rounded down; 0 when opted out")
    continuous_exposure_minutes: float
    break_required: bool
    break_ends_at: datetime | None
    days: list[DayExposure] = Field(description="the contributor's last local days, newest first")
    last_check_in: CheckInRead | None


class OptOutUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opted_out_harmful: Flag


class CheckInCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mood: strict_int(1, 5) = Field(description="1 very low … 5 very good")
    stress: strict_int(1, 5) = Field(description="1 none … 5 severe")
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] | None = (
        None
    )
    wants_support: Flag = False


class CapsOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    low: DayMinutes | None = None
    medium: DayMinutes | None = None
    high: DayMinutes | None = None


class VendorPolicyPut(BaseModel):
    """A vendor's overrides of the global policy; a field left out (or null) keeps the global value."""

    model_config = ConfigDict(extra="forbid")

    daily_caps_minutes: CapsOverride = Field(default_factory=CapsOverride)
    continuous_limit_minutes: strict_int(1, 1440) | None = None
    break_minutes: strict_int(1, 1440) | None = None


class VendorPolicyRead(BaseModel):
    vendor_id: int
    overrides: VendorPolicyPut
    effective: PolicyRead
    version: int
    updated_by: str
    updated_at: datetime
    republished_contributors: int | None = Field(
        default=None, description="on PUT/DELETE: contributors whose limits were re-published"
    )


class CapUseRead(BaseModel):
    severity: Literal["low", "medium", "high"] = Field(
        description="the capped level whose cap today's exposure uses most (it counts the more severe minutes)"
    )
    minutes: float
    cap_minutes: int
    share: float = Field(description="minutes / cap_minutes, rounded to 4 places")


class WellnessBoardItem(BaseModel):
    """One contributor on the board: states only, never what a check-in said."""

    contributor_id: int
    full_name: str
    vendor_id: int | None
    timezone: str
    local_date: date
    states: list[Literal["near_cap", "on_break", "support_requested"]]
    today_minutes: SeverityMinutes
    cap_use: CapUseRead | None
    continuous_exposure_minutes: float
    break_ends_at: datetime | None
    support_requested_at: datetime | None
    last_exposure_at: datetime | None


class WellnessBoardPage(BaseModel):
    items: list[WellnessBoardItem]
    next_cursor: str | None = None
    near_cap_share: float = Field(description="the share of a daily cap from which a contributor is near it")
