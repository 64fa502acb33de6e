"""API models of contributors, their lifecycle, onboarding, qualifications and vetting."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.contributors.rules.lifecycle import OnboardingStep
from services.contributors.schemas.common import (
    BodyId,
    Country,
    Flag,
    LanguageCode,
    Name,
    Proficiency,
    Reason,
    Skill,
    SourceChannel,
    Status,
    TimeZone,
    strict_int,
    unique,
)
from shared.types import Timestamp


class Language(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: LanguageCode
    proficiency: Proficiency


def _unique_languages(languages: list[Language]) -> list[Language]:
    unique([language.code for language in languages], "language")
    return languages


Languages = Annotated[list[Language], Field(max_length=20), AfterValidator(_unique_languages)]
Skills = Annotated[list[Skill], Field(max_length=50), AfterValidator(lambda v: unique(v, "skill"))]
Email = Annotated[EmailStr, Field(max_length=254)]


class ContributorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    full_name: Name
    country: Country
    timezone: TimeZone
    languages: Languages = Field(default_factory=list)
    skills: Skills = Field(default_factory=list)
    source_channel: SourceChannel | None = None
    campaign_id: BodyId | None = None
    vendor_id: BodyId | None = None


class ContributorUpdate(BaseModel):
    """Only the fields sent change; `null` is refused for the fields a contributor must have."""

    model_config = ConfigDict(extra="forbid")

    # Defaults are never validated, so an omitted field stays None while an explicit null is a 422.
    email: Email = None  # type: ignore[assignment]
    full_name: Name = None  # type: ignore[assignment]
    country: Country = None  # type: ignore[assignment]
    timezone: TimeZone = None  # type: ignore[assignment]
    languages: Languages = None  # type: ignore[assignment]
    skills: Skills = None  # type: ignore[assignment]
    source_channel: SourceChannel | None = None
    campaign_id: BodyId | None = None
    vendor_id: BodyId | None = None


class ContributorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    country: str
    timezone: str
    languages: list[Language]
    skills: list[str]
    source_channel: str | None
    campaign_id: int | None
    vendor_id: int | None
    status: Status
    opted_out_harmful: bool
    screened_at: datetime | None
    activated_at: datetime | None
    status_changed_at: datetime
    erased_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class ContributorPage(BaseModel):
    items: list[ContributorRead]
    next_cursor: str | None = None


ContributorSort = Literal[
    "id", "-id", "created_at", "-created_at", "updated_at", "-updated_at",
    "full_name", "-full_name", "email", "-email", "status", "-status",
]  # fmt: skip


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Status
    reason: Reason | None = None


class StatusChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    from_status: Status | None
    to_status: Status
    reason: str | None
    actor: str
    at: datetime


class StatusChangePage(BaseModel):
    items: list[StatusChangeRead]
    next_cursor: str | None = None


class OnboardingStepRead(BaseModel):
    step: OnboardingStep
    required: bool
    completed_at: datetime | None
    completed_by: str | None


class OnboardingRead(BaseModel):
    contributor_id: int
    steps: list[OnboardingStepRead]
    missing_required: list[OnboardingStep]
    ready_to_activate: bool


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


class ImportRowError(BaseModel):
    row: int = Field(description="line number in the file, the header being line 1")
    field: str | None
    detail: str


class ImportReport(BaseModel):
    dry_run: bool
    rows: int
    created: int
    failed: int
    created_ids: list[int]
    errors: list[ImportRowError]


class ContributorFilters(BaseModel):
    """The list filters, shared by the JSON list and the CSV export."""

    status: list[Status] = Field(default_factory=list)
    vendor_id: int | None = None
    language: str | None = None
    min_proficiency: Proficiency | None = None
    country: str | None = None
    skill: str | None = None
    campaign_id: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    q: str | None = None
    email: str | None = None
    include_erased: bool = False
