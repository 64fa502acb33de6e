"""Rules of the vendors service."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors import repository
from services.vendors.models import Vendor
from services.vendors.schemas import VendorCreate
from shared.auth import Principal
from shared.errors import NotFound


async def register_vendor(session: AsyncSession, *, data: VendorCreate) -> Vendor:
    """A vendor enters the pipeline as a `prospect`."""
    values = data.model_dump()
    values["country"] = values["country"].upper()
    return await repository.add(session, Vendor(**values))


async def get_vendor(session: AsyncSession, *, principal: Principal, vendor_id: int) -> Vendor:
    vendor = await repository.get_readable(session, principal=principal, vendor_id=vendor_id)
    if vendor is None:
        raise NotFound(f"vendor {vendor_id} not found")
    return vendor
