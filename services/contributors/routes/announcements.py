"""HTTP for /api/v1/announcements and each contributor's feed."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends

from services.contributors.deps import AnnouncementsManage, AnnouncementsRead, FeedRead, contributor_for
from services.contributors.models import Announcement
from services.contributors.repository.announcements import ANNOUNCEMENT_KEYSET
from services.contributors.schemas.announcements import (
    AnnouncementCreate,
    AnnouncementPage,
    AnnouncementRead,
    FeedItem,
    FeedPage,
)
from services.contributors.service import announcements as service
from shared.db import ReadSessionDep, SessionDep
from shared.pagination import KeysetCursor, PageLimit, decode_cursor, encode_cursor
from shared.types import PathId

router = APIRouter(tags=["announcements"])

ContributorForFeed = contributor_for(FeedRead)


async def _announcement_for_write(
    announcement_id: PathId, _principal: AnnouncementsManage, session: SessionDep
) -> Announcement:
    # Locked until the change commits: of two withdrawals racing, the second finds it withdrawn and keeps
    # the first's time.
    return await service.get_announcement(session=session, announcement_id=announcement_id, for_update=True)


async def _announcement(
    announcement_id: PathId, _principal: AnnouncementsRead, session: ReadSessionDep
) -> Announcement:
    return await service.get_announcement(session=session, announcement_id=announcement_id)


@router.post("/api/v1/announcements", status_code=201, response_model=AnnouncementRead)
async def create_announcement(data: AnnouncementCreate, session: SessionDep, principal: AnnouncementsManage):
    """Publish to an audience (projects, languages, countries, statuses, vendors); none given = everyone."""
    return await service.create_announcement(session=session, principal=principal, data=data)


@router.get("/api/v1/announcements", response_model=AnnouncementPage)
async def list_announcements(
    session: ReadSessionDep,
    _principal: AnnouncementsRead,
    live: bool | None = None,
    sort: Literal["id", "-id", "publish_at", "-publish_at"] = "-id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    rows = await service.list_announcements(session=session, live=live, sort=sort, cursor=cursor, limit=limit)
    items, next_cursor = ANNOUNCEMENT_KEYSET.page(rows, sort=sort, limit=limit)
    return AnnouncementPage(items=items, next_cursor=next_cursor)


@router.get("/api/v1/announcements/{announcement_id}", response_model=AnnouncementRead)
async def read_announcement(announcement: Annotated[Announcement, Depends(_announcement)]):
    return announcement


@router.delete("/api/v1/announcements/{announcement_id}", response_model=AnnouncementRead)
async def withdraw_announcement(
    announcement: Annotated[Announcement, Depends(_announcement_for_write)], session: SessionDep
):
    """Withdraw it from every feed (kept for the record)."""
    return await service.withdraw_announcement(session=session, announcement=announcement)


@router.get("/api/v1/contributors/{contributor_id}/feed", response_model=FeedPage)
async def contributor_feed(
    contributor: ContributorForFeed,
    session: ReadSessionDep,
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    """Live announcements that reach this contributor, newest first."""
    items, next_id = await service.feed_of(
        session=session, contributor=contributor, after_id=decode_cursor(cursor), limit=limit
    )
    return FeedPage(
        contributor_id=contributor.id,
        items=[FeedItem.model_validate(a) for a in items],
        next_cursor=encode_cursor(next_id) if next_id is not None else None,
    )
