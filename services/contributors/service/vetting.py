"""Rules of vetting for harmful content: ops vet (or re-vet) a contributor, optionally until a date, and
revoke it; every change is recorded with who, when, until when and why, and published to tasks."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor, VettingChange
from services.contributors.repository import contributors as contributor_repository
from services.contributors.repository import vetting as repository
from services.contributors.rules.access import actor_of
from services.contributors.schemas.vetting import VettingCreate, VettingStatus
from services.contributors.service.contributors import ensure_not_erased, field_error
from services.contributors.service.publishing import eligibility_facts, record_change
from services.contributors.settings import ContributorsSettings
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import NotFound


def vetting_status(contributor: Contributor, now: datetime) -> VettingStatus:
    expires = contributor.vetting_expires_at
    expired = expires is not None and expires <= now
    return VettingStatus(
        contributor_id=contributor.id,
        vetted=contributor.vetted_at is not None and not expired,
        vetted_at=contributor.vetted_at,
        vetted_by=contributor.vetted_by,
        expires_at=expires,
        expired=expired,
    )


def vetting_of(contributor: Contributor) -> VettingStatus:
    return vetting_status(contributor, utcnow())


async def vet_contributor(
    *,
    session: AsyncSession,
    principal: Principal,
    contributor: Contributor,
    data: VettingCreate,
    settings: ContributorsSettings,
) -> VettingStatus:
    """Record a vetting from now until `expires_at` (or until revoked), replacing any current one."""
    ensure_not_erased(contributor)
    now = utcnow()
    if data.expires_at is not None and data.expires_at <= now:
        raise field_error("expires_at", "must be in the future")
    before = await eligibility_facts(session=session, contributor=contributor, settings=settings)
    actor = actor_of(principal)
    contributor.vetted_at, contributor.vetted_by = now, actor
    contributor.vetting_expires_at = data.expires_at
    await contributor_repository.save(
        session,
        VettingChange(
            contributor_id=contributor.id,
            action="vetted",
            expires_at=data.expires_at,
            reason=data.reason,
            actor=actor,
            at=now,
        ),
    )
    await record_change(session=session, contributor=contributor, before=before, settings=settings)
    return vetting_status(contributor, now)


async def revoke_vetting(
    *,
    session: AsyncSession,
    principal: Principal,
    contributor: Contributor,
    reason: str | None,
    settings: ContributorsSettings,
) -> None:
    """End the contributor's vetting now (an expired one too); 404 when there is none to revoke."""
    ensure_not_erased(contributor)
    if contributor.vetted_at is None:
        raise NotFound(f"contributor {contributor.id} is not vetted")
    before = await eligibility_facts(session=session, contributor=contributor, settings=settings)
    contributor.vetted_at = contributor.vetted_by = contributor.vetting_expires_at = None
    await contributor_repository.save(
        session,
        VettingChange(
            contributor_id=contributor.id,
            action="revoked",
            reason=reason,
            actor=actor_of(principal),
            at=utcnow(),
        ),
    )
    await record_change(session=session, contributor=contributor, before=before, settings=settings)


async def vetting_history(
    *, session: AsyncSession, contributor: Contributor, sort: str, cursor: str | None, limit: int
) -> list[VettingChange]:
    return await repository.vetting_history(
        session, contributor_id=contributor.id, sort=sort, cursor=cursor, limit=limit
    )
