"""Events for outbound webhook subscribers, written in the caller's transaction (our own outbox)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import WebhookDelivery
from services.vendors.repository import subscriptions as subscription_repository
from services.vendors.rules.subscriptions import subscribed
from services.vendors.service.common import jsonable
from shared.db import after_commit, utcnow


async def emit(session: AsyncSession, event_type: str, data: dict[str, Any]) -> int:
    """One delivery row per active subscription that asked for `event_type`; returns how many."""
    message_id = f"msg_{uuid.uuid4().hex}"
    body = {"type": event_type, "timestamp": utcnow().isoformat(), "data": jsonable(data)}
    count = 0
    for subscription in await subscription_repository.active_subscriptions(session):
        if subscribed(subscription.event_types, event_type):
            session.add(
                WebhookDelivery(
                    subscription_id=subscription.id,
                    message_id=message_id,
                    event_type=event_type,
                    payload=body,
                )
            )
            count += 1
    if count:
        await session.flush()
        after_commit(session, _wake_deliverer)
    return count


def _wake_deliverer(app: Any) -> None:
    deliverer = getattr(app.state, "webhook_deliverer", None)
    if deliverer is not None:
        deliverer.wake()
