"""What the contributors service publishes (see service/publishing.py) and how it handles what it receives.

Published, to tasks and vendors: `contributor.upserted` (eligibility facts, versioned) whenever status,
languages, skills, qualifications, vendor, wellness limits or opt-out change; `contributor.erased`.
Received from tasks: `submission.recorded` (exposure minutes for wellness) and `quality.drift`
(a qualification must be re-taken).
"""

import logging

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.service import qualifications, wellness
from services.contributors.service.publishing import ROUTES, publisher
from shared.errors import Unprocessable
from shared.events import Event, EventHandler

__all__ = ["HANDLERS", "ROUTES", "publisher"]

log = logging.getLogger("labelops.contributors.events")


class QualityDrift(BaseModel):
    contributor_id: int
    project_id: int
    accuracy: float
    min_quality: float
    qualification: str | None = None


async def apply_submission_recorded(session: AsyncSession, event: Event) -> None:
    await wellness.record_submission(session, event.data)


async def apply_quality_drift(session: AsyncSession, event: Event) -> None:
    """Mark the project's qualification for re-test; a project without one has nothing to mark."""
    try:
        drift = QualityDrift.model_validate(event.data)
    except ValidationError as exc:
        raise Unprocessable(f"quality.drift data is invalid: {exc.errors()[0]['msg']}") from exc
    if not drift.qualification:
        return
    reason = f"accuracy {drift.accuracy:.3f} below {drift.min_quality:.3f} on project {drift.project_id}"
    if not await qualifications.flag_for_retest(
        session, contributor_id=drift.contributor_id, name=drift.qualification, reason=reason
    ):
        log.info(
            "quality.drift for contributor %s: no qualification %r to flag",
            drift.contributor_id,
            drift.qualification,
        )


HANDLERS: dict[str, EventHandler] = {
    "submission.recorded": apply_submission_recorded,
    "quality.drift": apply_quality_drift,
}
