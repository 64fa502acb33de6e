"""HTTP for /api/v1/requester-profiles: the handles people write to support from, linked to contributors."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.contributors.deps import TicketsManage
from services.contributors.repository.requester_profiles import PROFILE_KEYSET
from services.contributors.schemas.requester_profiles import (
    DiscordId,
    RequesterProfileCreate,
    RequesterProfileFilters,
    RequesterProfilePage,
    RequesterProfileRead,
    RequesterProfileUpdate,
)
from services.contributors.service import requester_profiles as service
from shared.db import ReadSessionDep, SessionDep
from shared.etag import IfMatchHeader, check_if_match, set_etag
from shared.pagination import KeysetCursor, PageLimit
from shared.query import reject_unknown_query_parameters
from shared.types import Id, PathId

router = APIRouter(
    prefix="/api/v1/requester-profiles",
    tags=["requester profiles"],
    dependencies=[Depends(reject_unknown_query_parameters)],
)


@router.post("", status_code=201, response_model=RequesterProfileRead)
async def create_requester_profile(
    data: RequesterProfileCreate, session: SessionDep, _principal: TicketsManage, response: Response
):
    """Record someone's handles (email, Discord, Telegram, phone), optionally as a known contributor; the
    email and Discord channels then link that person's tickets to the contributor."""
    profile = await service.create_profile(session=session, data=data)
    set_etag(response, profile.id, profile.version)
    return profile


@router.get("", response_model=RequesterProfilePage)
async def list_requester_profiles(
    session: ReadSessionDep,
    _principal: TicketsManage,
    contributor_id: Id | None = None,
    email: Annotated[str | None, Query(min_length=3, max_length=254)] = None,
    discord_user_id: DiscordId | None = None,
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    filters = RequesterProfileFilters(
        contributor_id=contributor_id, email=email, discord_user_id=discord_user_id
    )
    rows = await service.list_profiles(
        session=session, filters=filters, sort="id", cursor=cursor, limit=limit
    )
    items, next_cursor = PROFILE_KEYSET.page(rows, sort="id", limit=limit)
    return RequesterProfilePage(items=items, next_cursor=next_cursor)


@router.get("/{profile_id}", response_model=RequesterProfileRead)
async def read_requester_profile(
    profile_id: PathId, session: ReadSessionDep, _principal: TicketsManage, response: Response
):
    profile = await service.get_profile(session=session, profile_id=profile_id)
    set_etag(response, profile.id, profile.version)
    return profile


@router.patch("/{profile_id}", response_model=RequesterProfileRead)
async def update_requester_profile(
    profile_id: PathId,
    data: RequesterProfileUpdate,
    session: SessionDep,
    _principal: TicketsManage,
    response: Response,
    if_match: IfMatchHeader = None,
):
    """Change handles or the linked contributor (null unlinks); needs If-Match."""
    profile = await service.get_profile(session=session, profile_id=profile_id, for_update=True)
    check_if_match(if_match, resource_id=profile.id, version=profile.version)
    profile = await service.update_profile(session=session, profile=profile, data=data)
    set_etag(response, profile.id, profile.version)
    return profile
