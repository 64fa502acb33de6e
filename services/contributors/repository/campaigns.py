"""Queries of recruitment campaigns and the funnel's source rows."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Campaign, Contributor
from shared.pagination import Keyset, SortColumn, as_datetime

CAMPAIGN_KEYSET = Keyset(
    columns={
        "id": SortColumn(Campaign.id, int),
        "name": SortColumn(Campaign.name, str),
        "created_at": SortColumn(Campaign.created_at, as_datetime),
    },
    id_column=Campaign.id,
)


async def get(session: AsyncSession, *, campaign_id: int, for_update: bool = False) -> Campaign | None:
    stmt = select(Campaign).where(Campaign.id == campaign_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def existing_ids(session: AsyncSession, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set((await session.execute(select(Campaign.id).where(Campaign.id.in_(ids)))).scalars())


async def all_campaigns(session: AsyncSession) -> list[Campaign]:
    return list((await session.execute(select(Campaign))).scalars())


async def list_campaigns(
    session: AsyncSession, *, channel: str | None, sort: str, cursor: str | None, limit: int
) -> list[Campaign]:
    stmt = select(Campaign)
    if channel is not None:
        stmt = stmt.where(Campaign.channel == channel)
    stmt = CAMPAIGN_KEYSET.apply(stmt, sort=sort, cursor=cursor, limit=limit)
    return list((await session.execute(stmt)).scalars())


async def funnel_rows(
    session: AsyncSession,
    *,
    applied_from: datetime | None,
    applied_to: datetime | None,
    campaign_id: int | None,
) -> list[Any]:
    """Per contributor: applied (created), screened, activated, own channel, campaign, campaign's channel."""
    stmt = select(
        Contributor.created_at,
        Contributor.screened_at,
        Contributor.activated_at,
        Contributor.source_channel,
        Contributor.campaign_id,
        Campaign.channel,
    ).outerjoin(Campaign, Campaign.id == Contributor.campaign_id)
    if applied_from is not None:
        stmt = stmt.where(Contributor.created_at >= applied_from)
    if applied_to is not None:
        stmt = stmt.where(Contributor.created_at < applied_to)
    if campaign_id is not None:
        stmt = stmt.where(Contributor.campaign_id == campaign_id)
    return list((await session.execute(stmt)).all())
