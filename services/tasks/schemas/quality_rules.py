"""API models of quality rules, their firings and evaluations."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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
