"""HTTP for /api/v1/scorecards."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.vendors.deps import Paging, ScorecardToEdit, ScorecardToRead, VendorsManage, VendorsRead
from services.vendors.schemas.scorecards import ScorecardCreate, ScorecardPage, ScorecardRead
from services.vendors.service import scorecards as service
from shared.db import ReadSessionDep, SessionDep
from shared.http import ServicesDep
from shared.types import MAX_ID

router = APIRouter(prefix="/api/v1/scorecards", tags=["scorecards"])


@router.post("", status_code=201, response_model=ScorecardRead)
async def compute_scorecard(
    data: ScorecardCreate, services: ServicesDep, session: SessionDep, principal: VendorsManage
):
    return await service.compute_scorecard(session=session, services=services, principal=principal, data=data)


@router.get("/{scorecard_id}", response_model=ScorecardRead)
async def read_scorecard(scorecard: ScorecardToRead):
    return scorecard


@router.post("/{scorecard_id}/publish", response_model=ScorecardRead)
async def publish_scorecard(scorecard: ScorecardToEdit, session: SessionDep):
    return await service.publish_scorecard(session=session, scorecard=scorecard)


@router.get("", response_model=ScorecardPage)
async def list_scorecards(
    session: ReadSessionDep,
    principal: VendorsRead,
    page: Paging,
    vendor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
):
    items, next_cursor = await service.list_scorecards(
        session=session, principal=principal, page=page, vendor_id=vendor_id
    )
    return ScorecardPage(items=items, next_cursor=next_cursor)
