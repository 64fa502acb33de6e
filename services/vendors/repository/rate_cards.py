"""Queries on contracts' rate lines."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import RateLine
from services.vendors.repository.common import flush


async def rate_lines(session: AsyncSession, *, contract_id: int) -> list[RateLine]:
    stmt = select(RateLine).where(RateLine.contract_id == contract_id).order_by(RateLine.id)
    return list((await session.execute(stmt)).scalars())


async def replace_rate_lines(session: AsyncSession, *, contract_id: int, lines: list[RateLine]) -> None:
    for line in await rate_lines(session, contract_id=contract_id):
        await session.delete(line)
    await session.flush()
    session.add_all(lines)
    await flush(session, conflict="the rate card has two lines for the same task type, language and unit")
