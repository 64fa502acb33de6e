"""HTTP for /api/v1/negotiations (rounds compared with market benchmarks)."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.vendors.deps import InternalRecordsRead, Paging, VendorsManage
from services.vendors.schemas.negotiations import NegotiationCreate, NegotiationPage, NegotiationRead
from services.vendors.service import negotiations as service
from shared.db import ReadSessionDep, SessionDep
from shared.types import MAX_ID, PathId

router = APIRouter(prefix="/api/v1/negotiations", tags=["negotiations"])


async def _read(session, round_, contract) -> NegotiationRead:
    data = NegotiationRead.model_validate(round_)
    data.lines = await service.compare_lines(session=session, round_=round_, currency=contract.currency)
    data.currency = contract.currency
    return data


@router.post("", status_code=201, response_model=NegotiationRead)
async def propose_round(data: NegotiationCreate, session: SessionDep, principal: VendorsManage):
    round_ = await service.propose_round(session=session, principal=principal, data=data)
    _, contract = await service.get_round(session=session, principal=principal, round_id=round_.id)
    return await _read(session, round_, contract)


@router.get("/{round_id}", response_model=NegotiationRead)
async def read_round(round_id: PathId, session: ReadSessionDep, principal: InternalRecordsRead):
    """The round with each line compared with its market benchmark (% vs median, quartile band)."""
    round_, contract = await service.get_round(session=session, principal=principal, round_id=round_id)
    return await _read(session, round_, contract)


@router.post("/{round_id}/accept", response_model=NegotiationRead)
async def accept_round(round_id: PathId, session: SessionDep, principal: VendorsManage):
    """Accepting writes the round's lines as the contract's rate card."""
    round_, contract = await service.get_round(session=session, principal=principal, round_id=round_id)
    round_ = await service.decide_round(
        session=session, principal=principal, round_=round_, contract=contract, accept=True
    )
    return await _read(session, round_, contract)


@router.post("/{round_id}/reject", response_model=NegotiationRead)
async def reject_round(round_id: PathId, session: SessionDep, principal: VendorsManage):
    round_, contract = await service.get_round(session=session, principal=principal, round_id=round_id)
    round_ = await service.decide_round(
        session=session, principal=principal, round_=round_, contract=contract, accept=False
    )
    return await _read(session, round_, contract)


@router.get("", response_model=NegotiationPage)
async def list_rounds(
    session: ReadSessionDep,
    principal: InternalRecordsRead,
    page: Paging,
    contract_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
):
    items, next_cursor = await service.list_rounds(
        session=session, principal=principal, page=page, contract_id=contract_id
    )
    return NegotiationPage(items=items, next_cursor=next_cursor)
