"""Contributor profiles as assignment knows them, and what this service holds about a person."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import ContributorProfile
from services.tasks.repository import profiles as repo
from shared.auth import Principal
from shared.errors import NotFound
from shared.privacy import PersonSought, as_records


async def get_profile(
    *, session: AsyncSession, principal: Principal, contributor_id: int
) -> ContributorProfile:
    profile = await repo.get_readable_profile(session, principal=principal, contributor_id=contributor_id)
    if profile is None:
        raise NotFound(f"no eligibility profile for contributor {contributor_id} yet")
    return profile


async def personal_data(*, session: AsyncSession, person: PersonSought) -> dict:
    """This service's part of a contributor's DSAR export (its rows are keyed by the contributor's id)."""
    rows = await repo.personal_rows(session, contributor_id=person.contributor_id)
    return {table: as_records(found) for table, found in rows.items()}
