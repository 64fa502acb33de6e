"""HTTP for /api/v1/contracts."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.vendors.deps import ContractToEdit, ContractToRead, Paging, VendorsManage, VendorsRead
from services.vendors.schemas.base import TransitionRequest
from services.vendors.schemas.contracts import (
    ContractCreate,
    ContractPage,
    ContractRead,
    ContractUpdate,
    ContractVersionRead,
)
from services.vendors.service import budgets
from services.vendors.service import contracts as service
from shared.db import ReadSessionDep, SessionDep
from shared.etag import IfMatchHeader, check_if_match, set_etag
from shared.http import ServicesDep
from shared.pagination import Page
from shared.types import MAX_ID

router = APIRouter(prefix="/api/v1/contracts", tags=["contracts"])


@router.post("", status_code=201, response_model=ContractRead)
async def create_contract(
    data: ContractCreate, session: SessionDep, principal: VendorsManage, response: Response
):
    contract = await service.create_contract(session=session, principal=principal, data=data)
    set_etag(response, contract.id, contract.version)
    return contract


@router.get("/{contract_id}", response_model=ContractRead)
async def read_contract(contract: ContractToRead, response: Response):
    set_etag(response, contract.id, contract.version)
    return contract


@router.patch("/{contract_id}", response_model=ContractRead)
async def update_contract(
    contract: ContractToEdit,
    data: ContractUpdate,
    session: SessionDep,
    principal: VendorsManage,
    response: Response,
    if_match: IfMatchHeader = None,
):
    check_if_match(if_match, resource_id=contract.id, version=contract.version)
    contract = await service.update_contract(
        session=session, principal=principal, contract=contract, data=data
    )
    set_etag(response, contract.id, contract.version)
    return contract


@router.post("/{contract_id}/transitions", response_model=ContractRead)
async def move_contract(
    contract: ContractToEdit,
    data: TransitionRequest,
    session: SessionDep,
    services: ServicesDep,
    principal: VendorsManage,
    response: Response,
):
    contract = await service.move_contract(
        session=session, principal=principal, contract=contract, to=data.to
    )
    # Another contract in force prices the vendor's hard caps anew.
    await budgets.publish_caps_of_vendor(session=session, services=services, vendor_id=contract.vendor_id)
    set_etag(response, contract.id, contract.version)
    return contract


@router.get("/{contract_id}/versions", response_model=Page[ContractVersionRead])
async def contract_versions(contract: ContractToRead, session: ReadSessionDep, page: Paging):
    items, next_cursor = await service.contract_versions(session=session, contract=contract, page=page)
    return Page[ContractVersionRead](items=items, next_cursor=next_cursor)


@router.get("", response_model=ContractPage)
async def list_contracts(
    session: ReadSessionDep,
    principal: VendorsRead,
    page: Paging,
    vendor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
):
    items, next_cursor = await service.list_contracts(
        session=session, principal=principal, page=page, vendor_id=vendor_id, status=status
    )
    return ContractPage(items=items, next_cursor=next_cursor)
