"""Queries of a contributor's vetting history."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import VettingChange
from shared.pagination import Keyset, SortColumn

VETTING_HISTORY_KEYSET = Keyset(columns={"id": SortColumn(VettingChange.id, int)}, id_column=VettingChange.id)


async def vetting_history(
    session: AsyncSession, *, contributor_id: int, sort: str, cursor: str | None, limit: int
) -> list[VettingChange]:
    stmt = select(VettingChange).where(VettingChange.contributor_id == contributor_id)
    stmt = VETTING_HISTORY_KEYSET.apply(stmt, sort=sort, cursor=cursor, limit=limit)
    return list((await session.execute(stmt)).scalars())
