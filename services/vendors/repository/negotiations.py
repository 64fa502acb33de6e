"""Queries on negotiation rounds."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import NegotiationRound
from services.vendors.repository import common
from services.vendors.repository.common import first, readable
from shared.auth import Principal
from shared.pagination import PageParams


def readable_rounds(principal: Principal) -> Select:
    return readable(NegotiationRound, principal)


async def get_round(session: AsyncSession, *, principal: Principal, round_id: int) -> NegotiationRound | None:
    return await first(session, readable_rounds(principal).where(NegotiationRound.id == round_id))


async def list_rounds(
    session: AsyncSession, *, principal: Principal, page: PageParams, contract_id: int | None
) -> list[NegotiationRound]:
    stmt = negotiations_of(readable_rounds(principal), contract_id=contract_id)
    return await common.page(session, stmt, NegotiationRound, page=page)


async def rounds_of_contract(session: AsyncSession, *, contract_id: int) -> list[NegotiationRound]:
    stmt = negotiations_of(select(NegotiationRound), contract_id=contract_id)
    return list((await session.execute(stmt)).scalars())


def negotiations_of(stmt: Select, *, contract_id: int | None) -> Select:
    return stmt if contract_id is None else stmt.where(NegotiationRound.contract_id == contract_id)
