"""API models of tasks: imports, batches, the task shown in a lease, aggregation."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class ImportResult(BaseModel):
    batch_id: int
    imported: int
    rejected: int
    gold: int
    prelabeled: int = 0
    # {"row": the file's own row number (JSON array element, JSONL line, CSV line with the header as 1), "detail"}
    errors: list[dict[str, Any]]
    # Keys the import did not use, once per key: {"key", "rows" (how many rows had it), "first_row", "detail"}
    warnings: list[dict[str, Any]] = []


class AnswerRead(BaseModel):
    contributor_id: int
    answer: Any
    time_spent_seconds: int
    submitted_at: datetime


class ResultRead(BaseModel):
    """A task with its counted answers and the label it delivers (`final_source`: gold, review,
    dawid_skene or majority; `final_confidence`: 1 for gold and review, else the aggregate's)."""

    task_id: int
    external_id: str | None
    batch_id: int | None
    locale: str | None
    data: dict[str, Any]
    is_gold: bool
    gold_answer: Any
    completed: bool
    answers: list[AnswerRead]
    prelabels: list[dict[str, Any]]
    final_answer: Any
    final_source: str | None
    final_confidence: float | None
    created_at: datetime
    completed_at: datetime | None


class BatchRead(BaseModel):
    id: int
    name: str | None
    tasks: int
    gold: int
    completed: int
    created_at: datetime


class TaskOut(BaseModel):
    id: int
    data: dict[str, Any]


class AggregateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["majority", "dawid_skene"] = "majority"


class AggregateTaskRead(BaseModel):
    task_id: int
    label: Any  # null: a tie (majority) or no answer
    confidence: float | None  # the winning share of votes (majority) or the posterior (Dawid-Skene)
    votes: int
    tied: list[Any] | None = None  # majority: the labels sharing the top count
    posterior: dict[str, float] | None = None  # Dawid-Skene: probability per class


class AgreementRead(BaseModel):
    krippendorff_alpha: float | None
    fleiss_kappa: float | None


class AggregateRead(BaseModel):
    """Consensus labels, stored per task: exports deliver them as the final label unless gold or a review
    correction says otherwise."""

    method: Literal["majority", "dawid_skene"]
    tasks: list[AggregateTaskRead]
    agreement: AgreementRead
    ties: int | None = None
    worker_accuracy: dict[str, float] | None = None
    iterations: int | None = None
