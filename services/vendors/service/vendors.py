"""Vendors: registration, profile updates and their state machine."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.events import publisher
from services.vendors.models import Vendor
from services.vendors.repository import common as common_repository
from services.vendors.repository import vendors as vendor_repository
from services.vendors.rules.transitions import VENDOR_STATUSES, check_transition
from services.vendors.schemas.vendors import VendorCreate, VendorUpdate
from services.vendors.service.common import found, touch
from shared.auth import Principal
from shared.errors import Unprocessable
from shared.pagination import PageParams, page_of


def _vendor_values(data: VendorCreate | VendorUpdate, *, exclude_unset: bool) -> dict:
    values = data.model_dump(mode="json", exclude_unset=exclude_unset)
    if values.get("country"):
        values["country"] = values["country"].upper()
    return values


async def register_vendor(*, session: AsyncSession, data: VendorCreate) -> Vendor:
    """A vendor enters the pipeline as a `prospect`."""
    vendor = Vendor(**_vendor_values(data, exclude_unset=False))
    return await common_repository.add(
        session, vendor, conflict=f"a vendor named {data.name!r} already exists"
    )


async def get_vendor(*, session: AsyncSession, principal: Principal, vendor_id: int) -> Vendor:
    row = await vendor_repository.get_vendor(session, principal=principal, vendor_id=vendor_id)
    return found(row, "vendor", vendor_id)


async def update_vendor(*, session: AsyncSession, vendor: Vendor, data: VendorUpdate) -> Vendor:
    """Apply the fields sent; the caller has already matched If-Match against the version read."""
    values = _vendor_values(data, exclude_unset=True)
    for required in ("name", "country"):
        if required in values and values[required] is None:
            raise Unprocessable(
                f"{required} cannot be null",
                errors=[{"pointer": f"/{required}", "field": required, "in": "body", "detail": "required"}],
            )
    for name, value in values.items():
        setattr(
            vendor,
            name,
            [] if value is None and name in ("sites", "languages", "skills", "contacts") else value,
        )
    touch(vendor)
    await common_repository.flush(session, conflict=f"a vendor named {vendor.name!r} already exists")
    return vendor


async def move_vendor(*, session: AsyncSession, vendor: Vendor, to: str) -> Vendor:
    """prospect → onboarding → active ⇄ suspended → terminated (terminated from anywhere); assignment
    learns every change (`vendor.status_changed`) and acts on it at once."""
    check_transition(VENDOR_STATUSES, current=vendor.status, target=to)
    vendor.status = to
    touch(vendor)
    await session.flush()
    await publisher.publish(
        session,
        "vendor.status_changed",
        {"vendor_id": vendor.id, "status": to, "changed_at": vendor.updated_at.isoformat()},
    )
    return vendor


async def list_vendors(
    *, session: AsyncSession, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Vendor], int | None]:
    """Filters: status, country, external_vms_id, name_contains, language, skill (None: any)."""
    rows = await vendor_repository.list_vendors(session, principal=principal, page=page, **filters)
    return page_of(rows, limit=page.limit)
