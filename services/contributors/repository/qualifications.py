"""Queries of a contributor's qualifications."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Qualification


async def qualifications_of(session: AsyncSession, *, contributor_id: int) -> list[Qualification]:
    stmt = (
        select(Qualification)
        .where(Qualification.contributor_id == contributor_id)
        .order_by(Qualification.name)
    )
    return list((await session.execute(stmt)).scalars())


async def qualification(session: AsyncSession, *, contributor_id: int, name: str) -> Qualification | None:
    stmt = select(Qualification).where(
        Qualification.contributor_id == contributor_id, Qualification.name == name
    )
    return (await session.execute(stmt)).scalar_one_or_none()
