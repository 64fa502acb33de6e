"""HTTP for /api/v1/vendors."""

from typing import Annotated

from fastapi import APIRouter, Depends

from services.vendors import repository, service
from services.vendors.auth import VendorsManage, VendorsRead
from services.vendors.schemas import VendorCreate, VendorPage, VendorRead
from shared.db import ReadSessionDep, SessionDep
from shared.pagination import PageParams, page_of, page_params

router = APIRouter(prefix="/api/v1/vendors", tags=["vendors"])


@router.post("", status_code=201, response_model=VendorRead)
async def create_vendor(data: VendorCreate, session: SessionDep, _principal: VendorsManage):
    return await service.register_vendor(session, data=data)


@router.get("/{vendor_id}", response_model=VendorRead)
async def read_vendor(vendor_id: int, session: ReadSessionDep, principal: VendorsRead):
    return await service.get_vendor(session, principal=principal, vendor_id=vendor_id)


@router.get("", response_model=VendorPage)
async def list_vendors(
    session: ReadSessionDep, principal: VendorsRead, page: Annotated[PageParams, Depends(page_params)]
):
    rows = await repository.list_readable(
        session, principal=principal, limit=page.limit, after_id=page.after_id
    )
    items, next_cursor = page_of(rows, limit=page.limit)
    return VendorPage(items=items, next_cursor=next_cursor)
