"""Contributor profiles as assignment knows them."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import ContributorProfile
from services.tasks.repository import profiles as repo
from shared.auth import Principal
from shared.errors import NotFound


async def get_profile(
    *, session: AsyncSession, principal: Principal, contributor_id: int
) -> ContributorProfile:
    profile = await repo.get_readable_profile(session, principal=principal, contributor_id=contributor_id)
    if profile is None:
        raise NotFound(f"no eligibility profile for contributor {contributor_id} yet")
    return profile
