"""HTTP for /api/v1/canned-replies: the replies support keeps to send on tickets (`canned_reply_id`)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response

from services.contributors.deps import TicketsManage
from services.contributors.models import CannedReply
from services.contributors.repository.tickets import CANNED_KEYSET
from services.contributors.schemas.tickets import (
    CannedReplyCreate,
    CannedReplyPage,
    CannedReplyRead,
    CannedReplyUpdate,
)
from services.contributors.service import canned_replies as service
from shared.db import ReadSessionDep, SessionDep
from shared.etag import IfMatchHeader, check_if_match, set_etag
from shared.pagination import KeysetCursor, PageLimit
from shared.types import PathId

router = APIRouter(prefix="/api/v1/canned-replies", tags=["tickets"])


async def _to_read(
    canned_reply_id: PathId, _principal: TicketsManage, session: ReadSessionDep
) -> CannedReply:
    return await service.get(session=session, canned_id=canned_reply_id)


async def _to_write(canned_reply_id: PathId, _principal: TicketsManage, session: SessionDep) -> CannedReply:
    return await service.get(session=session, canned_id=canned_reply_id, for_update=True)


CannedToRead = Annotated[CannedReply, Depends(_to_read)]
CannedToWrite = Annotated[CannedReply, Depends(_to_write)]


@router.post("", status_code=201, response_model=CannedReplyRead)
async def create_canned_reply(
    data: CannedReplyCreate, session: SessionDep, principal: TicketsManage, response: Response
):
    """Keep a reply; `{ticket_id}`, `{subject}`, `{requester_name}`, `{contributor_name}` and `{agent}` are
    filled in when it is sent (any other placeholder is a 422)."""
    canned = await service.create(session=session, principal=principal, data=data)
    set_etag(response, canned.id, canned.version)
    return canned


@router.get("", response_model=CannedReplyPage)
async def list_canned_replies(
    session: ReadSessionDep,
    _principal: TicketsManage,
    sort: Literal["id", "-id", "name", "-name"] = "name",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    rows = await service.list_page(session=session, sort=sort, cursor=cursor, limit=limit)
    items, next_cursor = CANNED_KEYSET.page(rows, sort=sort, limit=limit)
    return CannedReplyPage(items=items, next_cursor=next_cursor)


@router.get("/{canned_reply_id}", response_model=CannedReplyRead)
async def read_canned_reply(canned: CannedToRead, response: Response):
    set_etag(response, canned.id, canned.version)
    return canned


@router.patch("/{canned_reply_id}", response_model=CannedReplyRead)
async def update_canned_reply(
    canned: CannedToWrite,
    data: CannedReplyUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
):
    check_if_match(if_match, resource_id=canned.id, version=canned.version)
    canned = await service.update(session=session, canned=canned, data=data)
    set_etag(response, canned.id, canned.version)
    return canned


@router.delete("/{canned_reply_id}", status_code=204)
async def delete_canned_reply(canned: CannedToWrite, session: SessionDep):
    await service.delete(session=session, canned=canned)
