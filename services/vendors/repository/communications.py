"""Queries on partner communications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Communication
from services.vendors.repository import common
from services.vendors.repository.common import first, readable
from shared.auth import Principal
from shared.pagination import PageParams
from shared.privacy import mentioning, without_mentions


def readable_communications(principal: Principal) -> Select:
    return readable(Communication, principal)


async def get_communication(
    session: AsyncSession, *, principal: Principal, communication_id: int
) -> Communication | None:
    return await first(
        session, readable_communications(principal).where(Communication.id == communication_id)
    )


async def list_communications(
    session: AsyncSession,
    *,
    principal: Principal,
    page: PageParams,
    vendor_id: int | None,
    channel: str | None,
) -> list[Communication]:
    stmt = communication_filters(readable_communications(principal), vendor_id=vendor_id, channel=channel)
    return await common.page(session, stmt, Communication, page=page)


async def list_follow_ups_due(
    session: AsyncSession, *, principal: Principal, page: PageParams, before: datetime
) -> list[Communication]:
    stmt = follow_ups_due(readable_communications(principal), before=before)
    return await common.page(session, stmt, Communication, page=page)


def follow_ups_due(stmt: Select, *, before: datetime) -> Select:
    return stmt.where(
        Communication.follow_up_due_at.is_not(None),
        Communication.follow_up_due_at <= before,
        Communication.follow_up_done_at.is_(None),
    )


def communication_filters(stmt: Select, *, vendor_id: int | None, channel: str | None) -> Select:
    if vendor_id is not None:
        stmt = stmt.where(Communication.vendor_id == vendor_id)
    if channel:
        stmt = stmt.where(Communication.channel == channel)
    return stmt


MENTION_COLUMNS = ("prospect_name", "subject", "body")


def _mentioning(mentions: list[str]):
    return mentioning((getattr(Communication, c) for c in MENTION_COLUMNS), mentions)


async def erase_mentions(session: AsyncSession, *, mentions: list[str], replacement: str) -> int:
    """Replace an erased person's name and email wherever partner communications mention them."""
    changed = 0
    for row in (await session.execute(select(Communication).where(_mentioning(mentions)))).scalars():
        for column in MENTION_COLUMNS:
            if getattr(row, column) is not None:
                setattr(row, column, without_mentions(getattr(row, column), mentions, replacement))
        changed += 1
    await session.flush()
    return changed


async def mentioning_person(session: AsyncSession, *, mentions: list[str]) -> list[Communication]:
    """The partner communications that mention the person (for its DSAR export)."""
    stmt = select(Communication).where(_mentioning(mentions)).order_by(Communication.id)
    return list((await session.execute(stmt)).scalars())
