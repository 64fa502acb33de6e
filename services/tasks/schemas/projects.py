"""API models of projects: settings, lifecycle, vendor suspensions and guidelines."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    model_validator,
)

from shared.languages import LanguageTag, Proficiency
from shared.openapi import REF_PREFIX
from shared.types import Id, Timestamp


def _distinct(choices: list[str]) -> list[str]:
    if len(set(choices)) != len(choices):
        raise ValueError("choices must be distinct")
    return choices


class ChoicesLabelSchema(BaseModel):
    """An answer is one of `choices`; with `multiple`, a non-empty list of distinct ones."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["choices"]
    choices: Annotated[
        list[Annotated[StrictStr, Field(min_length=1, max_length=200)]],
        Field(min_length=1, json_schema_extra={"uniqueItems": True}),
        AfterValidator(_distinct),
    ]
    multiple: StrictBool = False


class TextLabelSchema(BaseModel):
    """An answer is a text of at most `max_length` characters."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["text"]
    max_length: StrictInt = Field(10_000, ge=1, le=100_000)


# What a project's answers are validated against. rules/label_schema.py checks it (each error naming the
# field inside label_schema); these models document it, and a test holds the two to the same verdicts.
LabelSchema = Annotated[ChoicesLabelSchema | TextLabelSchema, Field(discriminator="type")]
LabelSchemaField = Annotated[
    dict[str, Any], WithJsonSchema({"allOf": [{"$ref": REF_PREFIX + "LabelSchema"}]})
]

Severity = Literal["none", "low", "medium", "high"]
ProjectStatus = Literal["draft", "active", "paused", "completed", "archived"]
ProjectSort = Literal["id", "-id", "name", "-name", "created_at", "-created_at", "deadline", "-deadline"]
# A batch-labeling screen prefetches a few tasks; more than this is hoarding.
MAX_LIVE_LEASES = 50


def _unique_tags(tags: list[str]) -> list[str]:
    if len(set(tags)) != len(tags):
        raise ValueError("each language or locale may appear once")
    return tags


# Languages in the one shape every service uses (shared/languages.py), each once.
LanguageTags = Annotated[list[LanguageTag], Field(max_length=20), AfterValidator(_unique_tags)]
Locales = Annotated[
    list[LanguageTag],
    Field(
        max_length=50,
        description="the locales tasks may carry (BCP 47); a task goes to speakers of its language",
    ),
    AfterValidator(_unique_tags),
]
MinProficiency = Annotated[
    Proficiency,
    Field(description="required languages and task languages count when spoken at this or better"),
]
PlannedHandlingSeconds = Annotated[
    float,
    Field(
        gt=0,
        le=86_400,
        strict=True,
        description="the forecast's handling time per answer until answers measure it",
    ),
]
PlannedHoursPerDay = Annotated[
    float,
    Field(
        gt=0, le=24, strict=True, description="hours one contributor works on the project a day (forecast)"
    ),
]


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    task_type: str = Field(min_length=1, max_length=50)
    label_schema: LabelSchemaField
    overlap: int = Field(1, ge=1, le=50, strict=True)
    gold_ratio: float = Field(0.0, ge=0, le=1, strict=True)
    review_ratio: float = Field(0.0, ge=0, le=1, strict=True)
    content_severity: Severity = "none"
    required_languages: LanguageTags = Field([], description="every one spoken (translation pairs, say)")
    locales: Locales = []
    min_language_proficiency: MinProficiency = "basic"
    required_skills: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field([], max_length=50)
    required_qualification: str | None = Field(None, min_length=1, max_length=100)
    required_qualification_score: float | None = Field(None, ge=0, le=100, strict=True)
    allowed_vendors: list[Id] = Field([], max_length=500)
    # Flags in write models are JSON booleans only and numbers JSON numbers only (strict): lax pydantic
    # would also read 0, 1 or "yes" as a flag, and false or "0.5" as a number.
    crowd_allowed: StrictBool = Field(
        True, description="contributors of no vendor may work it; always false when vetted_staff_only"
    )
    vetted_staff_only: StrictBool = Field(
        False,
        description="only vendor staff with an unexpired vetting may work it; content_severity high only",
    )
    lease_seconds: int = Field(600, ge=5, le=86_400, strict=True)
    max_live_leases: int = Field(
        1,
        ge=1,
        le=MAX_LIVE_LEASES,
        strict=True,
        description="live leases a contributor may hold on the labeling queue",
    )
    sla_turnaround_hours: float | None = Field(None, gt=0, le=24 * 365, strict=True)
    min_quality: float | None = Field(None, ge=0, le=1, strict=True)
    auto_revoke_on_drift: StrictBool = False
    daily_quota: int | None = Field(None, ge=1, le=100_000, strict=True)
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    deadline: Timestamp | None = None
    planned_handling_seconds: PlannedHandlingSeconds | None = None
    planned_hours_per_day: PlannedHoursPerDay | None = None

    @model_validator(mode="after")
    def _times_have_offsets(self) -> "ProjectCreate":
        for name in ("starts_at", "ends_at", "deadline"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a UTC offset")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    task_type: str
    label_schema: LabelSchemaField
    overlap: int
    gold_ratio: float
    review_ratio: float
    content_severity: str
    required_languages: list[str]
    locales: list[str]
    min_language_proficiency: str
    required_skills: list[str]
    required_qualification: str | None
    required_qualification_score: float | None
    allowed_vendors: list[int]
    crowd_allowed: bool
    vetted_staff_only: bool
    lease_seconds: int
    max_live_leases: int
    sla_turnaround_hours: float | None
    min_quality: float | None
    auto_revoke_on_drift: bool
    daily_quota: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    deadline: datetime | None
    planned_handling_seconds: float | None
    planned_hours_per_day: float | None
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class ProjectUpdate(BaseModel):
    """The settings that may change on a live project; task_type, label_schema, overlap and content_severity
    are fixed at creation because the tasks, answers and exposure already recorded depend on them."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    gold_ratio: float | None = Field(None, ge=0, le=1, strict=True)
    review_ratio: float | None = Field(None, ge=0, le=1, strict=True)
    required_languages: LanguageTags | None = None
    locales: Locales | None = None
    min_language_proficiency: MinProficiency | None = None
    required_skills: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None, max_length=50
    )
    required_qualification: str | None = Field(None, min_length=1, max_length=100)
    required_qualification_score: float | None = Field(None, ge=0, le=100, strict=True)
    allowed_vendors: list[Id] | None = Field(None, max_length=500)
    crowd_allowed: StrictBool | None = None
    vetted_staff_only: StrictBool | None = None
    lease_seconds: int | None = Field(None, ge=5, le=86_400, strict=True)
    max_live_leases: int | None = Field(None, ge=1, le=MAX_LIVE_LEASES, strict=True)
    sla_turnaround_hours: float | None = Field(None, gt=0, le=24 * 365, strict=True)
    min_quality: float | None = Field(None, ge=0, le=1, strict=True)
    auto_revoke_on_drift: StrictBool | None = None
    daily_quota: int | None = Field(None, ge=1, le=100_000, strict=True)
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    deadline: Timestamp | None = None
    planned_handling_seconds: PlannedHandlingSeconds | None = None
    planned_hours_per_day: PlannedHoursPerDay | None = None


class TransitionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: ProjectStatus


class VendorSuspensionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vendor_id: Id
    reason: str = Field(min_length=1, max_length=500)


class VendorSuspensionRead(BaseModel):
    project_id: int
    vendor_id: int
    reason: str
    permissions_suspended: int


class GuidelineCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=200_000, description="markdown")


class GuidelineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    body: str
    created_by: str
    created_at: datetime


class GuidelineVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    created_by: str
    created_at: datetime
