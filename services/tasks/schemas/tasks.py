"""API models of tasks: imports, batches, the task shown in a lease, aggregation."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.languages import LanguageTag


class TaskRow(BaseModel):
    """One task of a JSON array or JSONL import (rules/importing.py reads it row by row, so one bad row is
    reported by its number and the others are kept). A CSV row has one column per data key, and the
    columns priority, due_at, gold_answer, external_id and locale."""

    data: dict[str, Any] = Field(min_length=1, description="what the labeler sees")
    priority: int = Field(0, ge=-1_000_000, le=1_000_000, description="higher is leased first")
    due_at: datetime | None = Field(None, description="ISO 8601 with an offset; else import + the SLA")
    gold_answer: Any = Field(None, description="makes it a gold task; checked against the label schema")
    external_id: str | int | None = Field(
        None, description="its id where it came from, given back in exports"
    )
    id: str | int | None = Field(
        None, description="a Label Studio task id: the external id unless one is given"
    )
    locale: LanguageTag | None = Field(
        None, description="one of the project's locales; required when it has several, defaulted when one"
    )
    annotations: list[dict[str, Any]] | None = Field(
        None, description="Label Studio annotations: the gold answer or pre-labels (?annotations=)"
    )
    predictions: list[dict[str, Any]] | None = Field(None, description="Label Studio predictions: pre-labels")


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
