"""Every query on requester profiles (support staff read them all: no per-caller scope)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor, RequesterProfile
from services.contributors.schemas.requester_profiles import RequesterProfileFilters
from shared.pagination import Keyset, SortColumn

PROFILE_KEYSET = Keyset(columns={"id": SortColumn(RequesterProfile.id, int)}, id_column=RequesterProfile.id)


async def get(session: AsyncSession, *, profile_id: int, for_update: bool = False) -> RequesterProfile | None:
    stmt = select(RequesterProfile).where(RequesterProfile.id == profile_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_filtered(
    session: AsyncSession, *, filters: RequesterProfileFilters, sort: str, cursor: str | None, limit: int
) -> list[RequesterProfile]:
    stmt = select(RequesterProfile)
    if filters.contributor_id is not None:
        stmt = stmt.where(RequesterProfile.contributor_id == filters.contributor_id)
    if filters.email is not None:
        stmt = stmt.where(RequesterProfile.email == filters.email.strip().lower())
    if filters.discord_user_id is not None:
        stmt = stmt.where(RequesterProfile.discord_user_id == filters.discord_user_id)
    stmt = PROFILE_KEYSET.apply(stmt, sort=sort, cursor=cursor, limit=limit)
    return list((await session.execute(stmt)).scalars())


async def by_email(session: AsyncSession, *, email: str) -> RequesterProfile | None:
    stmt = select(RequesterProfile).where(RequesterProfile.email == email)
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_discord_user(session: AsyncSession, *, discord_user_id: str) -> RequesterProfile | None:
    stmt = select(RequesterProfile).where(RequesterProfile.discord_user_id == discord_user_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def contributor_id_by_email(session: AsyncSession, *, email: str) -> int | None:
    """The contributor whose own address this is; an erased contributor's pseudonym never matches."""
    stmt = select(Contributor.id).where(Contributor.email == email, Contributor.erased_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()
