"""Every query of the vendors service; `readable_vendors` scopes reads to the caller."""

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Vendor
from shared.auth import Principal
from shared.errors import Conflict

STAFF_ROLES = ("admin", "ops", "vendor_manager", "analyst", "integration", "service")


def readable_vendors(principal: Principal) -> Select:
    """Staff see every vendor; a vendor user only its own."""
    stmt = select(Vendor)
    if principal.has_any(*STAFF_ROLES):
        return stmt
    if principal.has_any("vendor") and principal.vendor_id is not None:
        return stmt.where(Vendor.id == principal.vendor_id)
    return stmt.where(False)


async def get_readable(session: AsyncSession, *, principal: Principal, vendor_id: int) -> Vendor | None:
    return (
        await session.execute(readable_vendors(principal).where(Vendor.id == vendor_id))
    ).scalar_one_or_none()


async def list_readable(
    session: AsyncSession, *, principal: Principal, limit: int, after_id: int | None
) -> list[Vendor]:
    stmt = readable_vendors(principal).order_by(Vendor.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(Vendor.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def add(session: AsyncSession, vendor: Vendor) -> Vendor:
    session.add(vendor)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a vendor named {vendor.name!r} already exists") from exc
    return vendor
