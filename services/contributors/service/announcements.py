"""Rules of announcements: audiences by project, language, country, status and vendor; each contributor's feed."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Announcement, Contributor
from services.contributors.repository import announcements as repository
from services.contributors.repository import wellness as wellness_repository
from services.contributors.rules.access import actor_of
from services.contributors.schemas.announcements import AnnouncementCreate
from services.contributors.service.contributors import field_error
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import NotFound

FEED_SCAN_BATCH = 200


async def create_announcement(
    *, session: AsyncSession, principal: Principal, data: AnnouncementCreate
) -> Announcement:
    now = utcnow()
    row = Announcement(
        title=data.title,
        body=data.body,
        audience=data.audience.model_dump(mode="json"),
        publish_at=data.publish_at or now,
        expires_at=data.expires_at,
        created_by=actor_of(principal),
        created_at=now,
    )
    if row.expires_at is not None and row.expires_at <= row.publish_at:
        raise field_error("expires_at", "must be after the publishing time")
    await repository.add(session, row)
    return row


async def get_announcement(
    *, session: AsyncSession, announcement_id: int, for_update: bool = False
) -> Announcement:
    row = await repository.get(session, announcement_id=announcement_id, for_update=for_update)
    if row is None:
        raise NotFound(f"announcement {announcement_id} not found")
    return row


async def list_announcements(
    *, session: AsyncSession, live: bool | None, sort: str, cursor: str | None, limit: int
) -> list[Announcement]:
    return await repository.list_announcements(
        session, live_at=utcnow() if live else None, sort=sort, cursor=cursor, limit=limit
    )


async def withdraw_announcement(*, session: AsyncSession, announcement: Announcement) -> Announcement:
    if announcement.withdrawn_at is None:
        announcement.withdrawn_at = utcnow()
        await repository.add(session, announcement)
    return announcement


def reaches(audience: dict, contributor: Contributor, project_ids: set[int]) -> bool:
    """Every dimension the audience names must match the contributor (any of its values); none = everyone."""
    if audience.get("statuses") and contributor.status not in audience["statuses"]:
        return False
    if audience.get("countries") and contributor.country not in audience["countries"]:
        return False
    if audience.get("vendor_ids") and contributor.vendor_id not in audience["vendor_ids"]:
        return False
    if audience.get("project_ids") and not project_ids & set(audience["project_ids"]):
        return False
    if audience.get("languages"):
        codes = {x["code"] for x in contributor.languages}
        bases = {code.split("-")[0] for code in codes}
        # "pt" reaches every Portuguese speaker; "pt-BR" only those who declared pt-BR.
        if not any((tag in codes) if "-" in tag else (tag in bases) for tag in audience["languages"]):
            return False
    return True


async def feed_of(
    *, session: AsyncSession, contributor: Contributor, after_id: int | None, limit: int
) -> tuple[list[Announcement], int | None]:
    """Live announcements reaching the contributor, newest first; returns the page and the next cursor id."""
    now = utcnow()
    project_ids = await wellness_repository.project_ids_of(session, contributor_id=contributor.id)
    found: list[Announcement] = []
    before = after_id
    while len(found) <= limit:
        batch = await repository.live_before(session, now=now, before_id=before, limit=FEED_SCAN_BATCH)
        found.extend(a for a in batch if reaches(a.audience, contributor, project_ids))
        if len(batch) < FEED_SCAN_BATCH:
            break
        before = batch[-1].id
    page = found[:limit]
    return page, (page[-1].id if len(found) > limit and page else None)
