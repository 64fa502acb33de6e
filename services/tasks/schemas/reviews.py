"""API models of reviews."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from shared.types import Id


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
