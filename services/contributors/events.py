"""What the contributors service publishes (see service/publishing.py) and how it handles what it receives.

Published, to tasks and vendors: `contributor.upserted` (eligibility facts, versioned) whenever status,
languages, skills, qualifications, vendor, wellness limits or opt-out change; `contributor.erased`.
Received from tasks: `submission.recorded` (exposure minutes for wellness) and `quality.drift`
(a qualification must be re-taken); from the gateway: `user.updated` (a user's display name, renamed
wherever a ticket or follow-up names the user).
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field, ValidationError, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.service import agents, qualifications, wellness
from services.contributors.service.publishing import ROUTES, publisher
from shared.errors import Unprocessable
from shared.events import Event, EventHandler

__all__ = ["HANDLERS", "ROUTES", "publisher"]

log = logging.getLogger("labelops.contributors.events")


class QualityDrift(BaseModel):
    """A gold drift (`accuracy` below `min_quality`, sent by submit and by gold-accuracy rules) or a
    quality rule's retest on another metric (`metric`, `value`, `threshold`)."""

    contributor_id: int
    project_id: int
    qualification: str | None = None
    metric: str = "gold_accuracy"
    value: float | None = None
    threshold: float | None = None
    accuracy: float | None = None
    min_quality: float | None = None
    rule_id: int | None = None

    @model_validator(mode="after")
    def _measured(self) -> QualityDrift:
        if self.metric == "gold_accuracy":
            self.accuracy = self.accuracy if self.accuracy is not None else self.value
            self.min_quality = self.min_quality if self.min_quality is not None else self.threshold
            if self.accuracy is None or self.min_quality is None:
                raise ValueError("a gold accuracy drift needs accuracy and min_quality")
        elif self.value is None or self.threshold is None:
            raise ValueError(f"a {self.metric} retest needs value and threshold")
        return self

    def retest_reason(self) -> str:
        if self.metric == "gold_accuracy":
            return f"accuracy {self.accuracy:.3f} below {self.min_quality:.3f} on project {self.project_id}"
        rule = f"quality rule {self.rule_id}: " if self.rule_id is not None else ""
        return f"{rule}{self.metric} {self.value:g} crossed {self.threshold:g} on project {self.project_id}"


async def apply_submission_recorded(session: AsyncSession, event: Event) -> None:
    await wellness.record_submission(session=session, data=event.data)


async def apply_quality_drift(session: AsyncSession, event: Event) -> None:
    """Mark the project's qualification for re-test; a project without one has nothing to mark."""
    try:
        drift = QualityDrift.model_validate(event.data)
    except ValidationError as exc:
        raise Unprocessable(f"quality.drift data is invalid: {exc.errors()[0]['msg']}") from exc
    if not drift.qualification:
        return
    if not await qualifications.flag_for_retest(
        session=session,
        contributor_id=drift.contributor_id,
        name=drift.qualification,
        reason=drift.retest_reason(),
    ):
        log.info(
            "quality.drift for contributor %s: no qualification %r to flag",
            drift.contributor_id,
            drift.qualification,
        )


class UserUpdated(BaseModel):
    """What of a changed gateway user this service keeps (the event says more: roles, disabled)."""

    user_id: int
    version: int
    display_name: str = Field(min_length=1, max_length=200)


async def apply_user_updated(session: AsyncSession, event: Event) -> None:
    try:
        user = UserUpdated.model_validate(event.data)
    except ValidationError as exc:
        raise Unprocessable(f"user.updated data is invalid: {exc.errors()[0]['msg']}") from exc
    await agents.rename_user(
        session=session, user_id=user.user_id, display_name=user.display_name, version=user.version
    )


HANDLERS: dict[str, EventHandler] = {
    "submission.recorded": apply_submission_recorded,
    "quality.drift": apply_quality_drift,
    "user.updated": apply_user_updated,
}
