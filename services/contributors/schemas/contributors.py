"""API models of contributors: profiles, the filtered list, and the roster import."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from services.contributors.schemas.common import (
    BodyId,
    Country,
    Name,
    Skill,
    SourceChannel,
    Status,
    TimeZone,
    unique,
)
from shared.languages import LanguageTag, Proficiency


class Language(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: LanguageTag
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
    created_since: datetime | None = None
    created_until: datetime | None = None
    q: str | None = None
    email: str | None = None
    include_erased: bool = False


class QueueAccess(BaseModel):
    """One queue as the tasks service explains it (its GET /queues/{id}/eligibility, per queue)."""

    queue_id: int
    project_id: int
    project_name: str
    eligible: bool
    reason: str | None
    retry_after: int | None
    rules: list[dict[str, Any]]


class ContributorAccessRead(BaseModel):
    contributor_id: int
    queues: list[QueueAccess]


class PersonalDataRead(BaseModel):
    """A DSAR export: `services` → service → table → the rows as stored."""

    contributor_id: int
    generated_at: datetime
    services: dict[str, dict[str, list[dict[str, Any]]]]
