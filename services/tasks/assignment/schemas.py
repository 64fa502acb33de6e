"""API models of assignments: leases, heartbeats and submissions."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.tasks.schemas.tasks import TaskOut


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


class RuleCheck(BaseModel):
    rule: str
    passed: bool
    # What `next` answers when this rule is the first to fail (its LabelOps-Queue-Reason, or the 403/404
    # cause: vendor_suspended, banned, not_permitted).
    reason: str
    compared: dict[str, Any]


class EligibilityRead(BaseModel):
    queue_id: int
    contributor_id: int
    eligible: bool
    reason: str | None
    retry_after: int | None
    rules: list[RuleCheck]


class QueueAccessRead(BaseModel):
    queue_id: int
    project_id: int
    project_name: str
    eligible: bool
    reason: str | None
    retry_after: int | None
    rules: list[RuleCheck]


class ContributorAccessRead(BaseModel):
    contributor_id: int
    queues: list[QueueAccessRead]
