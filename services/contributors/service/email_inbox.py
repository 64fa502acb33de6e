"""Email in: each new message in the support mailbox becomes a ticket, or a message on the ticket it
answers (by In-Reply-To / References, else by a `[#123]` reference in its subject from the same sender).

Taking a message is idempotent: its Message-ID is recorded with the ticket in one transaction, and the
message is marked \\Seen only after that commit, so a crash in between reads it again and finds it taken.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Ticket, TicketThread
from services.contributors.repository import channels as channel_repository
from services.contributors.rules.mail import (
    InboundMail,
    UnreadableMail,
    parse_inbound_mail,
    ticket_reference,
    ticket_subject,
)
from services.contributors.rules.tickets import TicketCategory, TicketChannel, TicketStatus
from services.contributors.schemas.tickets import MessageCreate, TicketCreate
from services.contributors.service import requester_profiles as profile_service
from services.contributors.service import tickets as ticket_service
from services.contributors.service.mailbox import open_mailbox
from services.contributors.settings import ContributorsSettings
from shared.auth import Principal
from shared.db import Database, utcnow

log = logging.getLogger("labelops.contributors.email")

CHANNEL = TicketChannel.EMAIL.value
# The mailbox logs a query on the requester's behalf the way support staff log one taken by phone.
MAILBOX_DESK = Principal(subject="channel:email", roles=frozenset({"support"}))


def requester_principal(ticket: Ticket) -> Principal:
    """The requester answering on its ticket: never staff, so its reply resumes a waiting ticket."""
    return Principal(
        subject="channel:email", roles=frozenset({"contributor"}), contributor_id=ticket.contributor_id
    )


@dataclass(frozen=True)
class MailTaken:
    ticket_id: int | None
    opened: bool = False
    duplicate: bool = False


async def _answered_ticket(session: AsyncSession, mail: InboundMail) -> Ticket | None:
    """The open ticket the mail answers: by its threading headers, else by the subject's reference when the
    sender is the ticket's own requester (anyone could type `[#12]` in a subject)."""
    ticket_id = await channel_repository.ticket_of_external(
        session, channel=CHANNEL, external_ids=mail.thread_ids()
    )
    if ticket_id is None and (referenced := ticket_reference(mail.subject)) is not None:
        thread = await channel_repository.thread_of(session, ticket_id=referenced)
        if thread is not None and thread.channel == CHANNEL and thread.address == mail.sender_address:
            ticket_id = referenced
    if ticket_id is None:
        return None
    ticket = await ticket_service.get_ticket(
        session=session, principal=MAILBOX_DESK, ticket_id=ticket_id, for_update=True
    )
    if ticket.status == TicketStatus.CLOSED and ticket.merged_into_id is not None:
        # The thread lives on in the ticket it was merged into.
        ticket = await ticket_service.get_ticket(
            session=session, principal=MAILBOX_DESK, ticket_id=ticket.merged_into_id, for_update=True
        )
    # A closed ticket stays closed (its SLA figures are final): the reply opens a follow-up.
    return None if ticket.status == TicketStatus.CLOSED else ticket


async def take_inbound_mail(
    *, session: AsyncSession, mail: InboundMail, settings: ContributorsSettings
) -> MailTaken:
    """Turn one inbound message into a ticket or a message on the ticket it answers, exactly once."""
    if await channel_repository.ticket_of_external(session, channel=CHANNEL, external_ids=[mail.message_id]):
        return MailTaken(ticket_id=None, duplicate=True)
    now = utcnow()
    ticket = await _answered_ticket(session, mail)
    if ticket is not None:
        message = await ticket_service.add_message(
            session=session, principal=requester_principal(ticket), ticket=ticket,
            data=MessageCreate(body=mail.body),
        )  # fmt: skip
        if ticket.contributor_id is None:
            message.author_kind = "requester"
        await channel_repository.record_message(
            session, channel=CHANNEL, direction="in", external_id=mail.message_id, ticket_id=ticket.id,
            ticket_message_id=message.id, at=now,
        )  # fmt: skip
        await session.flush()
        return MailTaken(ticket_id=ticket.id)
    profile = await profile_service.profile_for_email(
        session=session, email=mail.sender_address, name=mail.sender_name
    )
    ticket = await ticket_service.open_ticket(
        session=session,
        principal=MAILBOX_DESK,
        data=TicketCreate(
            contributor_id=profile.contributor_id,
            requester_name=mail.sender_name[:200] if mail.sender_name else None,
            requester_contact=mail.sender_address,
            channel=TicketChannel.EMAIL,
            category=TicketCategory.OTHER,
            subject=ticket_subject(mail.subject),
            body=mail.body,
        ),
        settings=settings,
    )
    await channel_repository.add(
        session,
        TicketThread(
            ticket_id=ticket.id, channel=CHANNEL, requester_profile_id=profile.id,
            address=mail.sender_address, created_at=now,
        ),
    )  # fmt: skip
    await channel_repository.record_message(
        session, channel=CHANNEL, direction="in", external_id=mail.message_id, ticket_id=ticket.id,
        ticket_message_id=None, at=now,
    )  # fmt: skip
    return MailTaken(ticket_id=ticket.id, opened=True)


async def poll_mailbox(*, db: Database, settings: ContributorsSettings) -> int:
    """Take every unseen message of the support folder; returns how many were taken."""
    own_address = (settings.email_from_address or "").lower()
    taken = 0
    async with open_mailbox(settings) as mailbox:
        for uid in await mailbox.unseen_uids():
            raw = await mailbox.fetch(uid)
            if raw is None:
                continue
            try:
                mail = parse_inbound_mail(raw)
            except UnreadableMail as exc:
                log.warning("support mailbox message %s skipped: %s", uid, exc)
                await mailbox.mark_seen(uid)
                continue
            if mail.automatic or mail.sender_address == own_address:
                await mailbox.mark_seen(uid)  # an auto-reply or our own copy: never a ticket
                continue
            try:
                async with db.sessionmaker() as session, session.begin():
                    result = await take_inbound_mail(session=session, mail=mail, settings=settings)
            except IntegrityError:
                # Another replica took the same Message-ID first; its commit is the one that counts.
                result = MailTaken(ticket_id=None, duplicate=True)
            await mailbox.mark_seen(uid)
            taken += not result.duplicate
    return taken
