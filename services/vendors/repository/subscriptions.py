"""Queries on outbound webhook subscriptions and their deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import WebhookDelivery, WebhookSubscription
from services.vendors.repository import common
from services.vendors.repository.common import first, readable
from shared.auth import Principal
from shared.pagination import PageParams


def readable_subscriptions(principal: Principal) -> Select:
    return readable(WebhookSubscription, principal)


async def get_subscription(
    session: AsyncSession, *, principal: Principal, subscription_id: int
) -> WebhookSubscription | None:
    return await first(
        session, readable_subscriptions(principal).where(WebhookSubscription.id == subscription_id)
    )


async def list_subscriptions(
    session: AsyncSession, *, principal: Principal, page: PageParams
) -> list[WebhookSubscription]:
    stmt = readable_subscriptions(principal)
    return await common.page(session, stmt, WebhookSubscription, page=page)


async def list_deliveries(
    session: AsyncSession, *, subscription_id: int, status: str | None, page: PageParams
) -> list[WebhookDelivery]:
    return await common.page(
        session, deliveries_of(subscription_id=subscription_id, status=status), WebhookDelivery, page=page
    )


async def active_subscriptions(session: AsyncSession) -> list[WebhookSubscription]:
    stmt = select(WebhookSubscription).where(WebhookSubscription.status == "active")
    return list((await session.execute(stmt)).scalars())


def deliveries_of(*, subscription_id: int, status: str | None) -> Select:
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    return stmt if status is None else stmt.where(WebhookDelivery.status == status)


async def claim_due_deliveries(
    session: AsyncSession, *, now: datetime, hold_until: datetime, limit: int
) -> list[int]:
    """Mark due deliveries as taken until `hold_until`, so another replica does not send them too."""
    due = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list((await session.execute(due)).scalars())
    if ids:
        await session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(next_attempt_at=hold_until)
        )
    return ids


async def delivery_counts(session: AsyncSession) -> dict[str, int]:
    stmt = select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
    return {status: count for status, count in (await session.execute(stmt)).all()}
