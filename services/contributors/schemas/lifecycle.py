"""API models of a contributor's lifecycle: status transitions, their history, and onboarding."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from services.contributors.rules.lifecycle import OnboardingStep
from services.contributors.schemas.common import Reason, Status


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
