"""Queries on VMS sources and the inbound webhooks they send."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import InboundWebhook, VmsInboundLog, VmsSource
from services.vendors.repository import common
from services.vendors.repository.common import first, readable
from shared.auth import Principal
from shared.db import insert_ignoring_conflicts
from shared.pagination import PageParams


def readable_vms_sources(principal: Principal) -> Select:
    return readable(VmsSource, principal)


async def get_vms_source(session: AsyncSession, *, principal: Principal, source_id: int) -> VmsSource | None:
    return await first(session, readable_vms_sources(principal).where(VmsSource.id == source_id))


async def list_vms_sources(
    session: AsyncSession, *, principal: Principal, page: PageParams
) -> list[VmsSource]:
    return await common.page(session, readable_vms_sources(principal), VmsSource, page=page)


async def vms_source(session: AsyncSession, *, source: str) -> VmsSource | None:
    return (await session.execute(select(VmsSource).where(VmsSource.source == source))).scalar_one_or_none()


def webhook_id_digest(webhook_id: str) -> str:
    return hashlib.sha256(webhook_id.encode()).hexdigest()


async def claim_inbound_webhook(
    session: AsyncSession, *, source: str, webhook_id: str, event_type: str
) -> bool:
    """True when this webhook id (all of it) is new for the source (the unique key makes a race lose cleanly)."""
    row = {
        "source": source,
        "webhook_id_sha256": webhook_id_digest(webhook_id),
        "webhook_id": webhook_id[:200],
        "event_type": event_type,
        "outcome": "processing",
    }
    return await insert_ignoring_conflicts(session, InboundWebhook.__table__, row)  # type: ignore[attr-defined]


async def record_inbound_outcome(
    session: AsyncSession, *, source: str, webhook_id: str, outcome: str
) -> None:
    await session.execute(
        update(InboundWebhook)
        .where(
            InboundWebhook.source == source,
            InboundWebhook.webhook_id_sha256 == webhook_id_digest(webhook_id),
        )
        .values(outcome=outcome[:300])
    )


async def purge_inbound_before(session: AsyncSession, *, before: datetime) -> None:
    await session.execute(InboundWebhook.__table__.delete().where(InboundWebhook.received_at < before))  # type: ignore[attr-defined]


async def log_inbound(session: AsyncSession, entry: VmsInboundLog) -> None:
    session.add(entry)
    await session.flush()


async def inbound_log(
    session: AsyncSession, *, source: str | None, status: int | None, limit: int, after_id: int | None
) -> list[VmsInboundLog]:
    """Newest first, keyset by id."""
    stmt = select(VmsInboundLog).order_by(VmsInboundLog.id.desc()).limit(limit + 1)
    if source is not None:
        stmt = stmt.where(VmsInboundLog.source == source)
    if status is not None:
        stmt = stmt.where(VmsInboundLog.status == status)
    if after_id is not None:
        stmt = stmt.where(VmsInboundLog.id < after_id)
    return list((await session.execute(stmt)).scalars())


async def purge_inbound_log_before(session: AsyncSession, *, before: datetime) -> None:
    await session.execute(delete(VmsInboundLog).where(VmsInboundLog.received_at < before))
