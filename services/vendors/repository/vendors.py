"""Queries on vendors."""

from __future__ import annotations

from sqlalchemy import Select, String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Vendor
from services.vendors.repository import common
from services.vendors.repository.common import first, readable
from shared.auth import Principal
from shared.pagination import PageParams


def readable_vendors(principal: Principal) -> Select:
    return readable(Vendor, principal)


async def get_vendor(session: AsyncSession, *, principal: Principal, vendor_id: int) -> Vendor | None:
    return await first(session, readable_vendors(principal).where(Vendor.id == vendor_id))


async def list_vendors(
    session: AsyncSession,
    *,
    principal: Principal,
    page: PageParams,
    status: str | None,
    country: str | None,
    external_vms_id: str | None,
    name_contains: str | None,
    language: str | None,
    skill: str | None,
) -> list[Vendor]:
    stmt = vendor_filters(
        readable_vendors(principal),
        status=status,
        country=country,
        external_vms_id=external_vms_id,
        name_contains=name_contains,
        language=language,
        skill=skill,
    )
    return await common.page(session, stmt, Vendor, page=page)


def vendor_filters(
    stmt: Select,
    *,
    status: str | None,
    country: str | None,
    external_vms_id: str | None,
    name_contains: str | None,
    language: str | None = None,
    skill: str | None = None,
) -> Select:
    if status:
        stmt = stmt.where(Vendor.status == status)
    if country:
        stmt = stmt.where(Vendor.country == country.upper())
    if external_vms_id:
        stmt = stmt.where(Vendor.external_vms_id == external_vms_id)
    if name_contains:
        stmt = stmt.where(Vendor.name.ilike(f"%{_escape_like(name_contains)}%", escape="\\"))
    # Languages and skills are JSON lists of plain codes: the quoted code in the JSON text is an exact
    # element match on both backends without dialect-specific JSON operators.
    if language:
        stmt = stmt.where(cast(Vendor.languages, String).like(f'%"{_escape_like(language)}"%', escape="\\"))
    if skill:
        stmt = stmt.where(cast(Vendor.skills, String).like(f'%"{_escape_like(skill)}"%', escape="\\"))
    return stmt


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('"', "")


async def vendor_by_external_id(
    session: AsyncSession, *, external_vms_id: str, among: list[int]
) -> Vendor | None:
    """The vendor with this VMS id among `among` (a VMS source's vendors): it never sees the others."""
    stmt = (
        select(Vendor)
        .where(Vendor.external_vms_id == external_vms_id, Vendor.id.in_(among))
        .order_by(Vendor.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def missing_vendor_ids(session: AsyncSession, *, vendor_ids: list[int]) -> list[int]:
    found = set((await session.execute(select(Vendor.id).where(Vendor.id.in_(vendor_ids)))).scalars())
    return sorted(set(vendor_ids) - found)
