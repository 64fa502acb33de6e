"""API models of tasks: imports, batches, the task shown in a lease, aggregation."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class ImportResult(BaseModel):
    batch_id: int
    imported: int
    rejected: int
    gold: int
    errors: list[dict[str, Any]]


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
