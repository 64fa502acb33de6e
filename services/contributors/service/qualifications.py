"""Rules of qualifications: one per name and contributor, re-taken in place, flagged for re-test on drift."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor, Qualification
from services.contributors.repository import contributors as contributor_repository
from services.contributors.repository import qualifications as repository
from services.contributors.schemas.qualifications import (
    QualificationList,
    QualificationRead,
    QualificationUpsert,
)
from services.contributors.service.contributors import ensure_not_erased
from services.contributors.service.publishing import eligibility_facts, record_change
from services.contributors.settings import ContributorsSettings
from shared.db import utcnow
from shared.errors import NotFound


def qualification_read(q: Qualification, now: datetime) -> QualificationRead:
    expired = q.expires_at is not None and q.expires_at <= now
    return QualificationRead(
        name=q.name,
        score=q.score,
        passed=q.passed,
        expires_at=q.expires_at,
        source=q.source,
        expired=expired,
        counts=q.passed and not expired,
        retest_required=q.retest_required,
        retest_reason=q.retest_reason,
        retest_flagged_at=q.retest_flagged_at,
        awarded_at=q.awarded_at,
        updated_at=q.updated_at,
    )


async def list_qualifications(*, session: AsyncSession, contributor: Contributor) -> QualificationList:
    now = utcnow()
    rows = await repository.qualifications_of(session, contributor_id=contributor.id)
    return QualificationList(contributor_id=contributor.id, items=[qualification_read(q, now) for q in rows])


async def award_qualification(
    *,
    session: AsyncSession,
    contributor: Contributor,
    name: str,
    data: QualificationUpsert,
    settings: ContributorsSettings,
) -> tuple[QualificationRead, bool]:
    """Record a result for `name`; a new result replaces the old one and clears a re-test flag."""
    ensure_not_erased(contributor)
    before = await eligibility_facts(session=session, contributor=contributor, settings=settings)
    now = utcnow()
    row = await repository.qualification(session, contributor_id=contributor.id, name=name)
    created = row is None
    if row is None:
        row = Qualification(contributor_id=contributor.id, name=name, awarded_at=now, **data.model_dump())
    else:
        for key, value in data.model_dump().items():
            setattr(row, key, value)
        row.awarded_at = now
    row.retest_required = False
    row.retest_reason = None
    row.retest_flagged_at = None
    row.updated_at = now
    await contributor_repository.save(session, row)
    await record_change(session=session, contributor=contributor, before=before, settings=settings)
    return qualification_read(row, now), created


async def revoke_qualification(
    *, session: AsyncSession, contributor: Contributor, name: str, settings: ContributorsSettings
) -> None:
    ensure_not_erased(contributor)
    row = await repository.qualification(session, contributor_id=contributor.id, name=name)
    if row is None:
        raise NotFound(f"contributor {contributor.id} has no qualification {name!r}")
    before = await eligibility_facts(session=session, contributor=contributor, settings=settings)
    await contributor_repository.delete_row(session, row)
    await record_change(session=session, contributor=contributor, before=before, settings=settings)


async def flag_for_retest(*, session: AsyncSession, contributor_id: int, name: str, reason: str) -> bool:
    """A quality drift seen by tasks: the qualification must be re-taken (False if there is none)."""
    row = await repository.qualification(session, contributor_id=contributor_id, name=name)
    if row is None:
        return False
    row.retest_required = True
    row.retest_reason = reason[:300]
    row.retest_flagged_at = utcnow()
    row.updated_at = row.retest_flagged_at
    await contributor_repository.save(session, row)
    return True
