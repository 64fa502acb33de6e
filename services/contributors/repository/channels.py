"""Every query of the support channels: ticket threads, the channels' message ids, and deliveries.

Deliveries are found from the ticket's own rows: a staff message or a status event on a ticket with a
thread that has no delivery yet is due to go out. The ticket messages are the outbox, so whatever writes
a staff reply (the API, a canned reply, a bulk close) is relayed without having to know about channels.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import (
    ChannelDelivery,
    ChannelMessage,
    RequesterProfile,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketThread,
)
from shared.db import insert_ignoring_conflicts
from shared.privacy import rows_where

# A ticket closed longer ago than this has nothing left to relay (its closing notice went out then).
RELAY_WINDOW = timedelta(days=2)


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def thread_of(session: AsyncSession, *, ticket_id: int) -> TicketThread | None:
    return await session.get(TicketThread, ticket_id)


async def ticket_of_external(
    session: AsyncSession, *, channel: str, external_ids: Sequence[str]
) -> int | None:
    """The ticket of the first of `external_ids` (nearest first) the channel has seen, in or out."""
    if not external_ids:
        return None
    stmt = select(ChannelMessage.external_id, ChannelMessage.ticket_id).where(
        ChannelMessage.channel == channel, ChannelMessage.external_id.in_(list(external_ids))
    )
    found = dict((await session.execute(stmt)).all())
    return next((found[i] for i in external_ids if i in found), None)


async def record_message(
    session: AsyncSession, *, channel: str, direction: str, external_id: str, ticket_id: int,
    ticket_message_id: int | None, at: datetime,
) -> bool:  # fmt: skip
    """Remember a channel's message id; False when it was already known (the message is taken once)."""
    return await insert_ignoring_conflicts(
        session,
        ChannelMessage.__table__,
        {
            "channel": channel,
            "direction": direction,
            "external_id": external_id,
            "ticket_id": ticket_id,
            "ticket_message_id": ticket_message_id,
            "created_at": at,
        },
    )


async def thread_message_ids(session: AsyncSession, *, ticket_id: int, channel: str) -> list[tuple[str, str]]:
    """(direction, id) of every message of the ticket's thread on the channel, oldest first."""
    stmt = (
        select(ChannelMessage.direction, ChannelMessage.external_id)
        .where(ChannelMessage.ticket_id == ticket_id, ChannelMessage.channel == channel)
        .order_by(ChannelMessage.id)
    )
    return [(d, i) for d, i in (await session.execute(stmt)).all()]


def _live_threads(channels: Sequence[str], now: datetime):
    return (
        TicketThread.channel.in_(list(channels)),
        or_(Ticket.closed_at.is_(None), Ticket.closed_at > now - RELAY_WINDOW),
    )


async def unrelayed_messages(
    session: AsyncSession, *, channels: Sequence[str], now: datetime, limit: int
) -> list[tuple[TicketMessage, TicketThread, Ticket]]:
    """Public staff messages written on a channel ticket since its thread began, not yet queued."""
    stmt = (
        select(TicketMessage, TicketThread, Ticket)
        .join(TicketThread, TicketThread.ticket_id == TicketMessage.ticket_id)
        .join(Ticket, Ticket.id == TicketMessage.ticket_id)
        .outerjoin(ChannelDelivery, ChannelDelivery.ticket_message_id == TicketMessage.id)
        .where(
            *_live_threads(channels, now),
            TicketMessage.author_kind == "staff",
            TicketMessage.internal.is_(False),
            TicketMessage.created_at >= TicketThread.created_at,
            ChannelDelivery.id.is_(None),
        )
        .order_by(TicketMessage.id)
        .limit(limit)
    )
    return [tuple(row) for row in (await session.execute(stmt)).all()]  # type: ignore[misc]


async def unannounced_status_events(
    session: AsyncSession, *, channels: Sequence[str], statuses: Sequence[str], now: datetime, limit: int
) -> list[tuple[TicketEvent, TicketThread, Ticket]]:
    """Status changes worth a notice on a channel ticket, not yet queued."""
    stmt = (
        select(TicketEvent, TicketThread, Ticket)
        .join(TicketThread, TicketThread.ticket_id == TicketEvent.ticket_id)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .outerjoin(ChannelDelivery, ChannelDelivery.ticket_event_id == TicketEvent.id)
        .where(
            *_live_threads(channels, now),
            TicketEvent.kind == "status",
            TicketEvent.to_value.in_(list(statuses)),
            TicketEvent.at >= TicketThread.created_at,
            ChannelDelivery.id.is_(None),
        )
        .order_by(TicketEvent.id)
        .limit(limit)
    )
    return [tuple(row) for row in (await session.execute(stmt)).all()]  # type: ignore[misc]


async def queue_delivery(session: AsyncSession, values: dict) -> bool:
    """Queue a delivery; False when another relay pass queued the same message or event first."""
    return await insert_ignoring_conflicts(session, ChannelDelivery.__table__, values)


async def claim_due_rows(
    session: AsyncSession, model: Any, *pending: Any, now: datetime, claim_seconds: float, limit: int
) -> list[Any]:
    """Rows of a retry queue (`pending` and due), hidden from other replicas for `claim_seconds` while
    this one works them: their next attempt is moved past the claim."""
    due = select(model.id).where(*pending, model.next_attempt_at <= now).order_by(model.id).limit(limit)
    if session.bind.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list((await session.execute(due)).scalars())
    if not ids:
        return []
    await session.execute(
        update(model)
        .where(model.id.in_(ids))
        .values(next_attempt_at=now + timedelta(seconds=claim_seconds))
        .execution_options(synchronize_session=False)
    )
    return list((await session.execute(select(model).where(model.id.in_(ids)).order_by(model.id))).scalars())


async def claim_due(
    session: AsyncSession, *, now: datetime, claim_seconds: float, limit: int
) -> list[ChannelDelivery]:
    """Due deliveries, hidden from other replicas for `claim_seconds` while this one sends them."""
    return await claim_due_rows(
        session, ChannelDelivery, ChannelDelivery.delivered_at.is_(None), ChannelDelivery.abandoned_at.is_(None),
        now=now, claim_seconds=claim_seconds, limit=limit,
    )  # fmt: skip


async def get_delivery(session: AsyncSession, *, delivery_id: int) -> ChannelDelivery | None:
    return await session.get(ChannelDelivery, delivery_id)


def _profiles_of(contributor_id: int, email: str):
    return or_(RequesterProfile.contributor_id == contributor_id, RequesterProfile.email == email.lower())


async def erase_channel_data(
    session: AsyncSession, *, contributor_id: int, email: str, ticket_ids: Sequence[int], replacement: str,
    now: datetime,
) -> None:  # fmt: skip
    """Forget the person on the channels: its requester profiles lose every handle, its tickets their
    threads (so nothing more is sent), their deliveries the address and text, and what was not sent yet is
    never sent."""
    await session.execute(
        update(RequesterProfile)
        .where(_profiles_of(contributor_id, email))
        .values(display_name=None, email=None, discord_user_id=None, discord_username=None, telegram=None,
                phone=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if not ticket_ids:
        return
    ids = list(ticket_ids)
    # Without its thread a ticket is answered in LabelOps only: nothing is ever sent to the person again.
    await session.execute(
        delete(TicketThread)
        .where(TicketThread.ticket_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(ChannelDelivery)
        .where(ChannelDelivery.ticket_id.in_(ids), ChannelDelivery.delivered_at.is_(None),
               ChannelDelivery.abandoned_at.is_(None))
        .values(abandoned_at=now, last_error="the requester's personal data was erased")
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    await session.execute(
        update(ChannelDelivery)
        .where(ChannelDelivery.ticket_id.in_(ids))
        .values(address=replacement, subject=None, body=replacement)
        .execution_options(synchronize_session=False)
    )


async def personal_rows(
    session: AsyncSession, *, contributor_id: int, email: str, ticket_ids: Sequence[int]
) -> dict[str, Sequence[Any]]:
    """The channels' rows about the person (its DSAR export): its requester profiles, and its tickets'
    threads and deliveries."""
    ids = list(ticket_ids)
    return {
        "requester_profiles": await rows_where(
            session, RequesterProfile, _profiles_of(contributor_id, email)
        ),
        "ticket_threads": await rows_where(session, TicketThread, TicketThread.ticket_id.in_(ids)),
        "ticket_channel_deliveries": await rows_where(
            session, ChannelDelivery, ChannelDelivery.ticket_id.in_(ids)
        ),
    }
