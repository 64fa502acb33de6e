"""Replies out: staff's public messages and status notices on a ticket that came in by email or Discord
are sent back there, after the commit that wrote them, and retried with backoff until they are sent.

Each pass first queues what is new (one delivery per message or status event: unique keys, so replicas
never queue one twice), then claims the due deliveries and sends them. Email replies carry their own
Message-ID and answer the thread (In-Reply-To / References), so the requester's mail client threads them
and a reply to them finds its ticket again.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import formataddr

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import ChannelDelivery, Ticket, TicketThread
from services.contributors.repository import channels as repository
from services.contributors.rules.channels import STATUS_NOTICES, status_notice
from services.contributors.rules.discord import direct_message
from services.contributors.rules.mail import (
    OutgoingMail,
    new_message_id,
    references_for,
    render_outgoing_mail,
    reply_subject,
)
from services.contributors.service.discord_api import DiscordApi, DiscordApiError, DiscordRateLimited
from services.contributors.service.mailbox import send_mail
from services.contributors.settings import ContributorsSettings
from shared.db import Database, utcnow
from shared.events import backoff_seconds

log = logging.getLogger("labelops.contributors.channels")

BATCH_SIZE = 50
# A claimed delivery is invisible to other replicas for this long: covers a slow SMTP server.
CLAIM_SECONDS = 120.0
# Discord answers these for a DM that can never be sent (user unknown, DMs closed): no retry helps.
PERMANENT_DISCORD_STATUSES = (400, 401, 403, 404)


def outbound_channels(settings: ContributorsSettings) -> list[str]:
    channels = []
    if settings.email_outbound_enabled:
        channels.append("email")
    if settings.discord_bot_token is not None:
        channels.append("discord")
    return channels


async def _email_threading(session: AsyncSession, *, ticket_id: int) -> tuple[str | None, list[str]]:
    """What a new reply answers: the requester's latest message (else ours), and the thread's ids."""
    thread = await repository.thread_message_ids(session, ticket_id=ticket_id, channel="email")
    inbound = [i for d, i in thread if d == "in"]
    answered = inbound[-1] if inbound else (thread[-1][1] if thread else None)
    return answered, references_for([i for _, i in thread])


async def _queue(
    session: AsyncSession, *, settings: ContributorsSettings, thread: TicketThread, ticket: Ticket, body: str,
    now: datetime, ticket_message_id: int | None = None, ticket_event_id: int | None = None,
    automatic: bool = False,
) -> bool:  # fmt: skip
    values = {
        "ticket_id": ticket.id, "channel": thread.channel, "ticket_message_id": ticket_message_id,
        "ticket_event_id": ticket_event_id, "address": thread.address, "body": body, "automatic": automatic,
        "attempts": 0, "next_attempt_at": now, "created_at": now,
    }  # fmt: skip
    message_id = None
    if thread.channel == "email":
        in_reply_to, references = await _email_threading(session, ticket_id=ticket.id)
        domain = (settings.email_from_address or "labelops.invalid").rsplit("@", 1)[-1]
        message_id = new_message_id(domain)
        values.update(
            subject=reply_subject(ticket.id, ticket.subject),
            message_id=message_id,
            in_reply_to=in_reply_to,
            references=" ".join(references) or None,
        )
    if not await repository.queue_delivery(session, values):
        return False
    if message_id is not None:
        await repository.record_message(
            session, channel="email", direction="out", external_id=message_id, ticket_id=ticket.id,
            ticket_message_id=ticket_message_id, at=now,
        )  # fmt: skip
    return True


async def queue_channel_replies(
    *, session: AsyncSession, settings: ContributorsSettings, now: datetime
) -> int:
    """Queue a delivery for every staff reply and announced status change not queued yet."""
    channels = outbound_channels(settings)
    if not channels:
        return 0
    queued = 0
    for message, thread, ticket in await repository.unrelayed_messages(
        session, channels=channels, now=now, limit=BATCH_SIZE
    ):
        queued += await _queue(
            session, settings=settings, thread=thread, ticket=ticket, body=message.body, now=now,
            ticket_message_id=message.id,
        )  # fmt: skip
    for event, thread, ticket in await repository.unannounced_status_events(
        session, channels=channels, statuses=list(STATUS_NOTICES), now=now, limit=BATCH_SIZE
    ):
        notice = status_notice(ticket.id, event.to_value or "")
        if notice is not None:
            queued += await _queue(
                session, settings=settings, thread=thread, ticket=ticket, body=notice, now=now,
                ticket_event_id=event.id, automatic=True,
            )  # fmt: skip
    return queued


class ChannelSender:
    """Sends one delivery on its channel; the Discord API client keeps its rate-limit state across sends."""

    def __init__(self, *, settings: ContributorsSettings, http: httpx.AsyncClient | None):
        self.settings = settings
        self.discord = (
            DiscordApi(
                client=http,
                base_url=settings.discord_api_base_url,
                bot_token=settings.discord_bot_token.get_secret_value(),
            )
            if http is not None and settings.discord_bot_token is not None
            else None
        )

    async def send_email(self, delivery: ChannelDelivery) -> None:
        settings = self.settings
        assert settings.email_from_address and delivery.message_id
        mail = OutgoingMail(
            sender=formataddr((settings.email_from_name, settings.email_from_address)),
            recipient=delivery.address,
            subject=delivery.subject or "",
            body=delivery.body,
            message_id=delivery.message_id,
            in_reply_to=delivery.in_reply_to,
            references=tuple((delivery.references or "").split()),
            automatic=delivery.automatic,
        )
        await send_mail(settings, render_outgoing_mail(mail))

    async def open_discord_dm(self, user_id: str) -> str:
        assert self.discord is not None
        return await self.discord.open_dm(user_id)

    async def send_discord(self, delivery: ChannelDelivery, dm_channel_id: str) -> None:
        assert self.discord is not None
        await self.discord.post_message(dm_channel_id, direct_message(delivery.ticket_id, delivery.body))


async def _remember_dm_channel(db: Database, *, ticket_id: int, channel_id: str) -> None:
    async with db.sessionmaker() as session, session.begin():
        thread = await repository.thread_of(session, ticket_id=ticket_id)
        if thread is not None:
            thread.discord_dm_channel_id = channel_id


async def _send(db: Database, sender: ChannelSender, delivery: ChannelDelivery, thread: TicketThread) -> None:
    if delivery.channel == "email":
        await sender.send_email(delivery)
        return
    channel_id = thread.discord_dm_channel_id
    if channel_id is None:
        channel_id = await sender.open_discord_dm(delivery.address)
        await _remember_dm_channel(db, ticket_id=delivery.ticket_id, channel_id=channel_id)
    await sender.send_discord(delivery, channel_id)


async def _attempt(
    db: Database, sender: ChannelSender, delivery: ChannelDelivery, thread: TicketThread
) -> bool:
    error: str | None = None
    retry_in: float | None = None
    permanent = False
    try:
        await _send(db, sender, delivery, thread)
    except DiscordRateLimited as exc:
        error, retry_in = str(exc), exc.retry_after
    except DiscordApiError as exc:
        error, permanent = str(exc), exc.status in PERMANENT_DISCORD_STATUSES
    except (smtplib.SMTPException, OSError, httpx.HTTPError, TimeoutError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    attempts = delivery.attempts + 1
    now = utcnow()
    async with db.sessionmaker() as session, session.begin():
        row = await repository.get_delivery(session, delivery_id=delivery.id)
        assert row is not None
        row.attempts = attempts
        row.last_error = error
        if error is None:
            row.delivered_at = now
        elif permanent or attempts >= sender.settings.channel_delivery_max_attempts:
            row.abandoned_at = now
            log.error("%s delivery %s abandoned after %d attempts: %s", row.channel, row.id, attempts, error)
        else:
            row.next_attempt_at = now + timedelta(seconds=retry_in or backoff_seconds(attempts))
            log.warning("%s delivery %s failed (attempt %d): %s", row.channel, row.id, attempts, error)
    return error is None


async def _claim(db: Database) -> Sequence[tuple[ChannelDelivery, TicketThread | None]]:
    async with db.sessionmaker() as session, session.begin():
        claimed = await repository.claim_due(
            session, now=utcnow(), claim_seconds=CLAIM_SECONDS, limit=BATCH_SIZE
        )
        return [(d, await repository.thread_of(session, ticket_id=d.ticket_id)) for d in claimed]


async def relay_channel_replies(
    *, db: Database, settings: ContributorsSettings, sender: ChannelSender
) -> int:
    """One pass: queue what is new, then send every due delivery; returns how many were sent."""
    async with db.sessionmaker() as session, session.begin():
        await queue_channel_replies(session=session, settings=settings, now=utcnow())
    sent = 0
    while claimed := await _claim(db):
        for delivery, thread in claimed:
            if thread is not None:
                sent += await _attempt(db, sender, delivery, thread)
        if len(claimed) < BATCH_SIZE:
            break
    return sent
