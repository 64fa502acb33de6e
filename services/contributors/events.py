"""What the contributors service publishes (see service/publishing.py) and how it handles what it receives.

Published, to tasks and vendors: `contributor.upserted` (eligibility facts, versioned) whenever status,
languages, skills, qualifications, vendor, wellness limits or opt-out change; `contributor.erased`.
Received from tasks: `submission.recorded` (exposure minutes for wellness) and `quality.drift`
(a qualification must be re-taken); from the gateway: `user.updated` (a user's display name, renamed
wherever a ticket or follow-up names the user) and `user.deleted`; a user disabled or deleted holds no
open ticket or follow-up any more.
"""

from __future__ import annotations

import logging

from pydantic import AwareDatetime, BaseModel, Field, ValidationError, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.service import agents, qualifications, shift_notes, tickets, wellness
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


class UserChange(BaseModel):
    """What of a gateway user this service keeps from `user.updated` and `user.deleted` (they say more:
    roles)."""

    user_id: int
    version: int
    display_name: str = Field(min_length=1, max_length=200)
    disabled: bool = False
    created_at: AwareDatetime

    def identity(self) -> dict:
        """The user, its name and where it stands in the order of the user's changes."""
        return self.model_dump(include={"user_id", "display_name", "version", "created_at"})


async def apply_user_updated(session: AsyncSession, event: Event) -> None:
    user = _user_change(event)
    newest = await agents.rename_user(session=session, **user.identity())
    if user.disabled and newest:  # a late "disabled" after the user was enabled again changes nothing
        await _release_user_work(session, event, user_id=user.user_id, cause="user disabled")


async def apply_user_deleted(session: AsyncSession, event: Event) -> None:
    user = _user_change(event)
    # A deletion arriving after a newer user took the id (SQLite reuses it) releases nothing of theirs.
    if await agents.rename_user(session=session, **user.identity()):
        await _release_user_work(session, event, user_id=user.user_id, cause="user deleted")
        await agents.forget_deleted_user(session=session, user_id=user.user_id)


async def _release_user_work(session: AsyncSession, event: Event, *, user_id: int, cause: str) -> None:
    """The user's open tickets and follow-ups go back to the desk and the note's team."""
    by = f"service:{event.source}"
    await tickets.release_user_tickets(session=session, user_id=user_id, actor=by, cause=cause)
    await shift_notes.release_user_follow_ups(session=session, user_id=user_id, actor=by, cause=cause)


def _user_change(event: Event) -> UserChange:
    try:
        return UserChange.model_validate(event.data)
    except ValidationError as exc:
        raise Unprocessable(f"{event.type} data is invalid: {exc.errors()[0]['msg']}") from exc


HANDLERS: dict[str, EventHandler] = {
    "submission.recorded": apply_submission_recorded,
    "quality.drift": apply_quality_drift,
    "user.updated": apply_user_updated,
    "user.deleted": apply_user_deleted,
}
