"""HTTP for /api/v1/communications (partner interactions and their follow-ups)."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.vendors.deps import (
    CommunicationToEdit,
    CommunicationToRead,
    InternalRecordsRead,
    Paging,
    VendorsManage,
)
from services.vendors.schemas.communications import (
    CommunicationCreate,
    CommunicationPage,
    CommunicationRead,
    CommunicationUpdate,
)
from services.vendors.service import communications as service
from shared.db import ReadSessionDep, SessionDep
from shared.privacy import erasure_router, personal_data_router
from shared.types import MAX_ID, Timestamp

router = APIRouter(prefix="/api/v1/communications", tags=["communications"])


@router.post("", status_code=201, response_model=CommunicationRead)
async def log_communication(data: CommunicationCreate, session: SessionDep, principal: VendorsManage):
    return await service.log_communication(session=session, principal=principal, data=data)


@router.get("/follow-ups-due", response_model=CommunicationPage)
async def follow_ups_due(
    session: ReadSessionDep, principal: InternalRecordsRead, page: Paging, before: Timestamp | None = None
):
    """Open follow-ups due at or before `before` (default: now), oldest first by id."""
    items, next_cursor = await service.list_follow_ups_due(
        session=session, principal=principal, page=page, before=before
    )
    return CommunicationPage(items=items, next_cursor=next_cursor)


@router.get("/{communication_id}", response_model=CommunicationRead)
async def read_communication(communication: CommunicationToRead):
    return communication


@router.patch("/{communication_id}", response_model=CommunicationRead)
async def update_communication(
    communication: CommunicationToEdit, data: CommunicationUpdate, session: SessionDep
):
    return await service.update_communication(session=session, communication=communication, data=data)


@router.get("", response_model=CommunicationPage)
async def list_communications(
    session: ReadSessionDep,
    principal: InternalRecordsRead,
    page: Paging,
    vendor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
):
    items, next_cursor = await service.list_communications(
        session=session, principal=principal, page=page, vendor_id=vendor_id, channel=channel
    )
    return CommunicationPage(items=items, next_cursor=next_cursor)


# An erased contributor's name and email leave the communications that mention them (contributors asks).
erasures = erasure_router(service.erase_mentions)
personal_data = personal_data_router(service.personal_data)
