"""HTTP for /api/v1/vendors."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.vendors.deps import Paging, VendorsManage, VendorsRead, VendorToEdit, VendorToRead
from services.vendors.schemas.base import TransitionRequest
from services.vendors.schemas.vendors import VendorCreate, VendorPage, VendorRead, VendorUpdate
from services.vendors.service import vendors as service
from shared.db import ReadSessionDep, SessionDep
from shared.etag import IfMatchHeader, check_if_match, set_etag

router = APIRouter(prefix="/api/v1/vendors", tags=["vendors"])


@router.post("", status_code=201, response_model=VendorRead)
async def create_vendor(
    data: VendorCreate, session: SessionDep, _principal: VendorsManage, response: Response
):
    vendor = await service.register_vendor(session=session, data=data)
    set_etag(response, vendor.id, vendor.version)
    return vendor


@router.get("/{vendor_id}", response_model=VendorRead)
async def read_vendor(vendor: VendorToRead, response: Response):
    set_etag(response, vendor.id, vendor.version)
    return vendor


@router.patch("/{vendor_id}", response_model=VendorRead)
async def update_vendor(
    vendor: VendorToEdit,
    data: VendorUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
):
    check_if_match(if_match, resource_id=vendor.id, version=vendor.version)
    vendor = await service.update_vendor(session=session, vendor=vendor, data=data)
    set_etag(response, vendor.id, vendor.version)
    return vendor


@router.post("/{vendor_id}/transitions", response_model=VendorRead)
async def move_vendor(
    vendor: VendorToEdit,
    data: TransitionRequest,
    session: SessionDep,
    response: Response,
):
    vendor = await service.move_vendor(session=session, vendor=vendor, to=data.to)
    set_etag(response, vendor.id, vendor.version)
    return vendor


@router.get("", response_model=VendorPage)
async def list_vendors(
    session: ReadSessionDep,
    principal: VendorsRead,
    page: Paging,
    status: Annotated[str | None, Query(max_length=20)] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    external_vms_id: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=100, description="part of the name")] = None,
    language: Annotated[str | None, Query(max_length=35)] = None,
    skill: Annotated[str | None, Query(max_length=50)] = None,
):
    items, next_cursor = await service.list_vendors(
        session=session, principal=principal, page=page, status=status, country=country, external_vms_id=external_vms_id,
        name_contains=q, language=language, skill=skill,
    )  # fmt: skip
    return VendorPage(items=items, next_cursor=next_cursor)
