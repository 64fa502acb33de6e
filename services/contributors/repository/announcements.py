"""Queries of announcements."""

from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Announcement
from shared.pagination import Keyset, SortColumn, as_datetime

ANNOUNCEMENT_KEYSET = Keyset(
    columns={
        "id": SortColumn(Announcement.id, int),
        "publish_at": SortColumn(Announcement.publish_at, as_datetime),
    },
    id_column=Announcement.id,
)


def _live(stmt: Select, now: datetime) -> Select:
    """Published, not expired, not withdrawn."""
    return stmt.where(
        Announcement.withdrawn_at.is_(None),
        Announcement.publish_at <= now,
        or_(Announcement.expires_at.is_(None), Announcement.expires_at > now),
    )


async def get(
    session: AsyncSession, *, announcement_id: int, for_update: bool = False
) -> Announcement | None:
    return await session.get(Announcement, announcement_id, with_for_update=for_update or None)


async def list_announcements(
    session: AsyncSession, *, live_at: datetime | None, sort: str, cursor: str | None, limit: int
) -> list[Announcement]:
    stmt = select(Announcement)
    if live_at is not None:
        stmt = _live(stmt, live_at)
    stmt = ANNOUNCEMENT_KEYSET.apply(stmt, sort=sort, cursor=cursor, limit=limit)
    return list((await session.execute(stmt)).scalars())


async def live_before(
    session: AsyncSession, *, now: datetime, before_id: int | None, limit: int
) -> list[Announcement]:
    """Live announcements newest first, below an id (the feed scans them in batches)."""
    stmt = _live(select(Announcement), now)
    if before_id is not None:
        stmt = stmt.where(Announcement.id < before_id)
    return list((await session.execute(stmt.order_by(Announcement.id.desc()).limit(limit))).scalars())


async def add(session: AsyncSession, row: Announcement) -> None:
    session.add(row)
    await session.flush()
