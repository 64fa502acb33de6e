"""Queries on contracts and their versions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Contract, ContractVersion
from services.vendors.repository import common
from services.vendors.repository.common import first, readable
from shared.auth import Principal
from shared.pagination import PageParams


def readable_contracts(principal: Principal) -> Select:
    return readable(Contract, principal)


async def get_contract(session: AsyncSession, *, principal: Principal, contract_id: int) -> Contract | None:
    return await first(session, readable_contracts(principal).where(Contract.id == contract_id))


async def list_contracts(
    session: AsyncSession,
    *,
    principal: Principal,
    page: PageParams,
    vendor_id: int | None,
    status: str | None,
) -> list[Contract]:
    stmt = contract_filters(readable_contracts(principal), vendor_id=vendor_id, status=status)
    return await common.page(session, stmt, Contract, page=page)


def contract_filters(stmt: Select, *, vendor_id: int | None, status: str | None) -> Select:
    if vendor_id is not None:
        stmt = stmt.where(Contract.vendor_id == vendor_id)
    if status:
        stmt = stmt.where(Contract.status == status)
    return stmt


async def overlapping_active_contract(
    session: AsyncSession, *, vendor_id: int, starts_on: date, ends_on: date, other_than: int
) -> Contract | None:
    stmt = select(Contract).where(
        Contract.vendor_id == vendor_id,
        Contract.status == "active",
        Contract.id != other_than,
        Contract.starts_on <= ends_on,
        Contract.ends_on >= starts_on,
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def active_contract_on(session: AsyncSession, *, vendor_id: int, on: date) -> Contract | None:
    stmt = select(Contract).where(
        Contract.vendor_id == vendor_id,
        Contract.status == "active",
        Contract.starts_on <= on,
        Contract.ends_on >= on,
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def contracts_in_force_between(
    session: AsyncSession, *, vendor_id: int, start: date, end: date
) -> list[Contract]:
    """The vendor's contracts whose dates meet [start, end] and that may have been in force (active, or
    since expired or terminated), in precedence order for a day two of them cover: active, expired,
    terminated, then the later start."""
    stmt = (
        select(Contract)
        .where(
            Contract.vendor_id == vendor_id,
            Contract.status.in_(("active", "expired", "terminated")),
            Contract.starts_on <= end,
            Contract.ends_on >= start,
        )
        .order_by(
            (Contract.status == "active").desc(),
            (Contract.status == "expired").desc(),
            Contract.starts_on.desc(),
            Contract.id.desc(),
        )
    )
    return list((await session.execute(stmt)).scalars())


async def list_contract_versions(
    session: AsyncSession, *, contract_id: int, page: PageParams
) -> list[ContractVersion]:
    """One page of the contract's saved states, oldest first (versions are saved in id order)."""
    stmt = select(ContractVersion).where(ContractVersion.contract_id == contract_id)
    return await common.page(session, stmt, ContractVersion, page=page)


async def contract_versions(session: AsyncSession, *, contract_id: int) -> list[ContractVersion]:
    stmt = (
        select(ContractVersion)
        .where(ContractVersion.contract_id == contract_id)
        .order_by(ContractVersion.version)
    )
    return list((await session.execute(stmt)).scalars())
