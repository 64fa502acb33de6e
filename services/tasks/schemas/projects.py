"""API models of the tasks service."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from shared.types import Timestamp

Severity = Literal["none", "low", "medium", "high"]
ProjectStatus = Literal["draft", "active", "paused", "completed", "archived"]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
# A batch-labeling screen prefetches a few tasks; more than this is hoarding.
MAX_LIVE_LEASES = 50


class ContributorProfileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    contributor_id: int
    version: int
    status: str
    vendor_id: int | None
    languages: list[dict]
    skills: list[str]
    qualifications: list[dict] = []
    daily_caps_minutes: dict[str, int] = {}
    opted_out_harmful: bool = False
    timezone: str = "UTC"
    erased: bool = False
    vetting: dict[str, Any] | None = None
    updated_at: datetime


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    task_type: str = Field(min_length=1, max_length=50)
    label_schema: dict[str, Any]
    overlap: int = Field(1, ge=1, le=50, strict=True)
    gold_ratio: float = Field(0.0, ge=0, le=1, strict=True)
    review_ratio: float = Field(0.0, ge=0, le=1, strict=True)
    content_severity: Severity = "none"
    required_languages: list[Annotated[str, Field(min_length=2, max_length=35)]] = Field([], max_length=20)
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
    label_schema: dict[str, Any]
    overlap: int
    gold_ratio: float
    review_ratio: float
    content_severity: str
    required_languages: list[str]
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
    required_languages: list[Annotated[str, Field(min_length=2, max_length=35)]] | None = Field(
        None, max_length=20
    )
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


class TransitionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: ProjectStatus


class ImportResult(BaseModel):
    batch_id: int
    imported: int
    rejected: int
    gold: int
    errors: list[dict[str, Any]]


class QueueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str


class PermissionAuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    permission_id: int | None
    contributor_id: int | None
    queue_id: int
    action: str
    actor: str
    reason: str | None
    at: datetime


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


class TaskOut(BaseModel):
    id: int
    data: dict[str, Any]


class LeaseRead(BaseModel):
    assignment_id: int
    task: TaskOut
    lease_expires_at: datetime
    submission_id: int | None = None
    answer: Any | None = None


class HeartbeatRead(BaseModel):
    assignment_id: int
    lease_expires_at: datetime


class SubmissionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Any = Field(...)
    time_spent_seconds: int = Field(ge=0, le=86_400)


class SubmissionRead(BaseModel):
    id: int
    assignment_id: int
    task_id: int
    outcome: str
    gold_correct: bool | None
    created_at: datetime


class ReviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submission_id: Id
    verdict: Literal["accept", "reject", "correct"]
    answer: Any | None = None
    comment: str | None = Field(None, max_length=2000)
    requeue: StrictBool = True


class ReviewRead(BaseModel):
    id: int
    submission_id: int
    verdict: str
    requeued: bool
    created_at: datetime


class AggregateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["majority", "dawid_skene"] = "majority"


class VendorSuspensionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vendor_id: Id
    reason: str = Field(min_length=1, max_length=500)


class VendorSuspensionRead(BaseModel):
    project_id: int
    vendor_id: int
    reason: str
    permissions_suspended: int


class ProductionItem(BaseModel):
    project_id: int
    task_type: str
    language: str | None
    vendor_id: int | None
    accepted_units: int
    rejected_units: int


class ProductionRead(BaseModel):
    items: list[ProductionItem]


QualityMetric = Literal["gold_accuracy", "fast_answers", "skips_in_row", "answers_per_day", "task_agreement"]
QualityAction = Literal["suspend", "retest", "reject_answers", "raise_overlap"]


class QualityRuleCreate(BaseModel):
    """When `metric` crosses `threshold` (ratios below it, counts at or above it), apply `action`."""

    model_config = ConfigDict(extra="forbid")

    metric: QualityMetric
    action: QualityAction
    threshold: float = Field(ge=0, le=100_000)
    window_size: int = Field(10, ge=1, le=1000, description="how many recent answers/assignments are judged")
    min_count: int | None = Field(
        None, ge=1, le=1000, description="gold_accuracy: fewest gold answers judged"
    )
    seconds: float | None = Field(None, gt=0, le=86_400, description="fast_answers: an answer faster is fast")
    ban_hours: float | None = Field(None, gt=0, le=24 * 365, description="suspend: length of the ban")
    max_overlap: int | None = Field(None, ge=2, le=50, description="raise_overlap: the cap")


class QualityRuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    metric: str
    action: str
    threshold: float
    window_size: int
    min_count: int | None
    seconds: float | None
    ban_hours: float | None
    max_overlap: int | None
    created_by: str
    created_at: datetime


class QualityRuleFiringRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_id: int | None = Field(description="null: the project's auto-revoke on drift")
    contributor_id: int | None
    task_id: int | None
    metric: str
    value: float
    threshold: float
    action: str
    evidence: dict[str, Any]
    at: datetime


class QualityEvaluationRead(BaseModel):
    firings: list[QualityRuleFiringRead]


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


class BatchRead(BaseModel):
    id: int
    name: str | None
    tasks: int
    gold: int
    completed: int
    created_at: datetime
