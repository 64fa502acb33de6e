"""Outbound webhook subscriptions and their deliveries: SSRF-checked URLs, events written to the
subscribers' outbox in the caller's transaction, signed sends, retries."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.vendors.metrics import WEBHOOK_DELIVERY_ATTEMPTS
from services.vendors.models import WebhookDelivery, WebhookSubscription
from services.vendors.repository import subscriptions as subscription_repository
from services.vendors.rules import subscriptions as subscription_rules
from services.vendors.rules import webhooks as webhook_rules
from services.vendors.schemas.subscriptions import SubscriptionCreate, SubscriptionUpdate
from services.vendors.service.common import found, jsonable, not_found
from services.vendors.settings import VendorsSettings
from shared.auth import Principal
from shared.db import after_commit, utcnow
from shared.errors import Conflict, Unprocessable
from shared.pagination import PageParams, page_of

BATCH = 50
# A claimed delivery is invisible to other replicas for this long (longer than one send can take).
CLAIM_SECONDS = 60
MAX_LOG_ENTRIES = 50


async def check_url(url: str, *, settings: VendorsSettings) -> subscription_rules.ValidatedURL:
    """Refuse URLs that could reach internal services; DNS resolution runs off the event loop."""
    return await asyncio.to_thread(
        subscription_rules.validate_webhook_url,
        url,
        allow_http=settings.webhooks_allow_http,
        allow_loopback=settings.webhooks_allow_loopback,
    )


def pinned(target: subscription_rules.ValidatedURL) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """The URL aimed at the address that passed the check, with the headers and extensions to send.

    Connecting by host name would resolve it a second time, and a DNS answer that changed since the
    check (rebinding) could reach an internal address. The Host header and the TLS server name (SNI,
    and so certificate verification) keep the original host name.
    """
    url = httpx.URL(target.url)
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return url.copy_with(host=target.addresses[0]), {"host": url.netloc.decode("ascii")}, extensions


def _unsafe(exc: subscription_rules.UnsafeURL) -> Unprocessable:
    return Unprocessable(
        f"url refused: {exc.reason}",
        errors=[{"pointer": "/url", "field": "url", "in": "body", "detail": exc.reason}],
    )


async def create_subscription(
    *, session: AsyncSession, data: SubscriptionCreate, settings: VendorsSettings
) -> tuple[WebhookSubscription, str]:
    try:
        await check_url(data.url, settings=settings)
    except subscription_rules.UnsafeURL as exc:
        raise _unsafe(exc) from exc
    secret = webhook_rules.generate_secret()
    row = WebhookSubscription(
        url=data.url, secret=secret, event_types=sorted(set(data.event_types)), description=data.description
    )
    session.add(row)
    await session.flush()
    return row, secret


async def get_subscription(
    *, session: AsyncSession, principal: Principal, subscription_id: int
) -> WebhookSubscription:
    row = await subscription_repository.get_subscription(
        session, principal=principal, subscription_id=subscription_id
    )
    return found(row, "webhook subscription", subscription_id)


async def update_subscription(
    *,
    session: AsyncSession,
    subscription: WebhookSubscription,
    data: SubscriptionUpdate,
    settings: VendorsSettings,
) -> WebhookSubscription:
    values = data.model_dump(exclude_unset=True, exclude_none=True)
    if "url" in values:
        try:
            await check_url(values["url"], settings=settings)
        except subscription_rules.UnsafeURL as exc:
            raise _unsafe(exc) from exc
    if "event_types" in values:
        values["event_types"] = sorted(set(values["event_types"]))
    if values.get("status") == "active":
        subscription.disabled_reason = None
    elif values.get("status") == "disabled":
        subscription.disabled_reason = "disabled by an operator"
    for name, value in values.items():
        setattr(subscription, name, value)
    subscription.version += 1
    await session.flush()
    return subscription


async def ping(*, session: AsyncSession, subscription: WebhookSubscription) -> WebhookDelivery:
    """A `webhook.ping` delivery to this subscription only, through the same signed, retried path."""
    if subscription.status != "active":
        raise Conflict(f"webhook subscription {subscription.id} is {subscription.status}")
    delivery = WebhookDelivery(
        subscription_id=subscription.id,
        message_id=f"msg_{uuid.uuid4().hex}",
        event_type="webhook.ping",
        payload={
            "type": "webhook.ping",
            "timestamp": utcnow().isoformat(),
            "data": {"subscription_id": subscription.id},
        },
    )
    session.add(delivery)
    await session.flush()
    return delivery


async def emit(session: AsyncSession, event_type: str, data: dict[str, Any]) -> int:
    """One delivery row per active subscription that asked for `event_type`; returns how many."""
    message_id = f"msg_{uuid.uuid4().hex}"
    body = {"type": event_type, "timestamp": utcnow().isoformat(), "data": jsonable(data)}
    count = 0
    for subscription in await subscription_repository.active_subscriptions(session):
        if subscription_rules.subscribed(subscription.event_types, event_type):
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


async def get_delivery(
    *, session: AsyncSession, subscription: WebhookSubscription, delivery_id: int
) -> WebhookDelivery:
    row = await session.get(WebhookDelivery, delivery_id)
    if row is None or row.subscription_id != subscription.id:
        raise not_found("delivery", delivery_id)
    return row


async def redeliver(
    *, session: AsyncSession, subscription: WebhookSubscription, delivery: WebhookDelivery
) -> WebhookDelivery:
    """Send a delivered, failed or dead-lettered message again, with a fresh retry schedule."""
    if subscription.status != "active":
        raise Conflict(f"webhook subscription {subscription.id} is {subscription.status}; enable it first")
    if delivery.status == "pending":
        raise Conflict(f"delivery {delivery.id} is still being retried")
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    await session.flush()
    return delivery


def delivery_client(settings: VendorsSettings) -> httpx.AsyncClient:
    """The client deliveries are sent with.

    Redirects are never followed: a 3xx could point the request anywhere, past the SSRF check.
    No kept-alive connections: requests go to an address, and a TLS connection made for one host name
    must not carry another that shares its address.
    """
    return httpx.AsyncClient(
        timeout=settings.webhook_timeout_seconds,
        follow_redirects=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


async def deliver_due(
    *, sessionmaker: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, settings: VendorsSettings
) -> int:
    """Claim up to BATCH due deliveries and attempt each (one pass of the deliverer); returns how many."""
    now = utcnow()
    async with sessionmaker() as session, session.begin():
        ids = await subscription_repository.claim_due_deliveries(
            session, now=now, hold_until=now + timedelta(seconds=CLAIM_SECONDS), limit=BATCH
        )
    for delivery_id in ids:
        await attempt_delivery(
            sessionmaker=sessionmaker, client=client, settings=settings, delivery_id=delivery_id
        )
    return len(ids)


async def send_delivery(
    *,
    client: httpx.AsyncClient,
    settings: VendorsSettings,
    subscription: WebhookSubscription,
    delivery: WebhookDelivery,
) -> tuple[int | None, str | None]:
    """POST the signed delivery to the address its URL was checked at; the status code or an error."""
    try:
        # Checked again at send time: DNS may have changed since the subscription was made.
        target = await check_url(subscription.url, settings=settings)
    except subscription_rules.UnsafeURL as exc:
        return None, f"url refused: {exc.reason}"
    body = orjson.dumps(delivery.payload)
    headers = webhook_rules.signed_headers(subscription.secret, delivery.message_id, int(time.time()), body)
    url, host, extensions = pinned(target)
    headers |= {**host, "content-type": "application/json"}
    try:
        response = await client.post(url, content=body, headers=headers, extensions=extensions)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return response.status_code, error


async def attempt_delivery(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    settings: VendorsSettings,
    delivery_id: int,
) -> None:
    """Send one delivery outside any transaction, then record the outcome: delivered, retried later,
    dead-lettered, or (410 Gone) the subscription disabled."""
    async with sessionmaker() as session, session.begin():
        delivery = await session.get(WebhookDelivery, delivery_id)
        subscription = (
            None if delivery is None else await session.get(WebhookSubscription, delivery.subscription_id)
        )
    if delivery is None or subscription is None:
        return
    if subscription.status != "active":
        status_code, error = None, f"subscription {subscription.status}"
    else:
        status_code, error = await send_delivery(
            client=client, settings=settings, subscription=subscription, delivery=delivery
        )
    attempt = delivery.attempts + 1
    outcome = subscription_rules.classify_attempt(
        attempt, status_code, max_attempts=settings.webhook_max_attempts
    )
    WEBHOOK_DELIVERY_ATTEMPTS.labels(outcome.value).inc()
    async with sessionmaker() as session, session.begin():
        delivery = await session.get(WebhookDelivery, delivery_id)
        subscription = await session.get(WebhookSubscription, delivery.subscription_id)
        now = utcnow()
        delivery.attempts = attempt
        delivery.last_status_code = status_code
        delivery.last_error = error
        entry = {"attempt": attempt, "at": now.isoformat(), "status_code": status_code, "error": error}
        delivery.log = [*delivery.log, entry][-MAX_LOG_ENTRIES:]
        if outcome is subscription_rules.DeliveryOutcome.DELIVERED:
            delivery.status, delivery.delivered_at = "delivered", now
        elif outcome is subscription_rules.DeliveryOutcome.DISABLE_SUBSCRIPTION:
            delivery.status = "failed"
            subscription.status = "disabled"
            subscription.disabled_reason = "the receiver answered 410 Gone"
        elif outcome is subscription_rules.DeliveryOutcome.DEAD_LETTER or subscription.status != "active":
            delivery.status = "dead_letter"
        else:
            delivery.next_attempt_at = now + subscription_rules.next_attempt_delay(
                attempt,
                base=timedelta(seconds=settings.webhook_retry_base_seconds),
                cap=timedelta(seconds=settings.webhook_retry_cap_seconds),
            )


async def list_subscriptions(
    *, session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[WebhookSubscription], int | None]:
    rows = await subscription_repository.list_subscriptions(session, principal=principal, page=page)
    return page_of(rows, limit=page.limit)


async def list_deliveries(
    *, session: AsyncSession, subscription: WebhookSubscription, page: PageParams, status: str | None
) -> tuple[list[WebhookDelivery], int | None]:
    rows = await subscription_repository.list_deliveries(
        session, subscription_id=subscription.id, status=status, page=page
    )
    return page_of(rows, limit=page.limit)
