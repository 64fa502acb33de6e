"""Every query of the tasks service: profiles here, the rest by resource in the sibling modules."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import ContributorProfile


async def get_profile(session: AsyncSession, *, contributor_id: int) -> ContributorProfile | None:
    return await session.get(ContributorProfile, contributor_id)


async def save_profile(session: AsyncSession, profile: ContributorProfile) -> None:
    session.add(profile)
    await session.flush()


def dialect_of(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"
