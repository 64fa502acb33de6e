"""Escalations reach people: who is told what, by email and by the team's incoming webhook, and the
events subscribers hear (`ticket.escalated`, `ticket.sla_warning`, `ticket.sla_breached`, and
`wellness.support_requested`, published by the wellness service).

A notification is queued in the transaction that caused it and sent after it committed (the queue is
worked every `notification_poll_seconds`), retried with backoff. Its words are written when it is sent,
from the ticket as it is then; an email goes to the user's address as the gateway has it then.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Notification, Ticket
from services.contributors.repository import notifications as repository
from services.contributors.rules.mail import OutgoingMail, new_message_id, render_outgoing_mail
from services.contributors.rules.notifications import (
    WELLNESS_SUPPORT,
    Message,
    ticket_message,
    webhook_body,
    wellness_message,
)
from services.contributors.service.agents import find_user
from services.contributors.service.mailbox import send_mail
from services.contributors.service.publishing import publisher
from services.contributors.settings import ContributorsSettings
from shared.db import Database, utcnow
from shared.events import backoff_seconds
from shared.http import ServiceClient

log = logging.getLogger("labelops.contributors.notifications")

BATCH_SIZE = 50
CLAIM_SECONDS = 120.0
MAX_ATTEMPTS = 12
ERASED_DOMAIN = "@erased.invalid"


def _rows(
    settings: ContributorsSettings, *, email_to_user: int | None, email_to: str | None, **fields
) -> list[Notification]:
    rows = []
    if settings.email_outbound_enabled and (email_to_user is not None or email_to):
        target = None if email_to_user is not None else email_to
        rows.append(Notification(channel="email", recipient_user_id=email_to_user, target=target, **fields))
    if settings.alert_webhook_url:
        rows.append(Notification(channel="webhook", target=settings.alert_webhook_url, **fields))
    return rows


async def notify_ticket(
    session: AsyncSession,
    settings: ContributorsSettings,
    kind: str,
    ticket: Ticket,
    *,
    detail: str | None = None,
) -> None:
    """Tell the ticket's responsible person (its escalation lead, else its assignee, else the support
    alert address) and the team; and publish the event for subscribers (ids and times only)."""
    responsible = ticket.escalated_to_id or ticket.assignee_id
    await repository.add(
        session,
        _rows(settings, email_to_user=responsible, email_to=settings.support_alert_email,
              kind=kind, ticket_id=ticket.id, detail=detail),
    )  # fmt: skip
    due = _due(ticket, detail)
    await publisher.publish(
        session,
        kind,
        {"ticket_id": ticket.id, "contributor_id": ticket.contributor_id, "priority": ticket.priority,
         "assignee_id": ticket.assignee_id, "escalated_to_id": ticket.escalated_to_id, "target": detail,
         "due_at": due.isoformat() if due else None, "at": utcnow().isoformat()},
    )  # fmt: skip


async def notify_wellness_support(
    session: AsyncSession, settings: ContributorsSettings, *, contributor_id: int, check_in_id: int
) -> None:
    """A check-in asking for support: the wellness lead and the team are told (the event itself is
    published by the wellness service)."""
    await repository.add(
        session,
        _rows(settings, email_to_user=None, email_to=settings.wellness_alert_email, kind=WELLNESS_SUPPORT,
              contributor_id=contributor_id, detail=str(check_in_id)),
    )  # fmt: skip


def _due(ticket: Ticket, detail: str | None) -> datetime | None:
    return {"first_response": ticket.first_response_due, "resolution": ticket.resolution_due}.get(
        detail or ""
    )


async def _message(session: AsyncSession, row: Notification) -> Message:
    if row.kind == WELLNESS_SUPPORT:
        return wellness_message(
            contributor_id=row.contributor_id or 0, check_in_id=int(row.detail or 0) or None
        )
    ticket = await session.get(Ticket, row.ticket_id)
    return ticket_message(
        row.kind, ticket_id=ticket.id, subject=ticket.subject, priority=ticket.priority, detail=row.detail,
        due=_due(ticket, row.detail), lead=ticket.escalated_to,
    )  # fmt: skip


async def _send(row: Notification, message: Message, *, services: ServiceClient, settings: ContributorsSettings,
                client: httpx.AsyncClient) -> bool:  # fmt: skip
    """Send one; False when there is no one to send it to any more (an erased or deleted user)."""
    if row.channel == "webhook":
        response = await client.post(row.target, json=webhook_body(message, settings.alert_webhook_format))
        response.raise_for_status()
        return True
    address = row.target
    if row.recipient_user_id is not None:
        user = await find_user(services, row.recipient_user_id)
        address = user["email"] if user is not None else None
    if not address or address.endswith(ERASED_DOMAIN):
        return False
    domain = (settings.email_from_address or "labelops.invalid").rsplit("@", 1)[-1]
    mail = OutgoingMail(
        sender=settings.email_from_address or "", recipient=address, subject=message.subject, body=message.text,
        message_id=new_message_id(domain), in_reply_to=None, references=(), automatic=True,
    )  # fmt: skip
    await send_mail(settings, render_outgoing_mail(mail))
    return True


async def send_due_notifications(
    *, db: Database, services: ServiceClient, settings: ContributorsSettings, client: httpx.AsyncClient
) -> int:
    """Send what is due; a failure is retried with backoff, then given up (logged) after MAX_ATTEMPTS."""
    async with db.sessionmaker() as session, session.begin():
        claimed = await repository.claim_due(
            session, now=utcnow(), claim_seconds=CLAIM_SECONDS, limit=BATCH_SIZE
        )
    sent = 0
    for row in claimed:
        async with db.sessionmaker() as session, session.begin():
            row = await session.get(Notification, row.id)
            try:
                delivered = await _send(row, await _message(session, row), services=services,
                                        settings=settings, client=client)  # fmt: skip
            except Exception as exc:  # noqa: BLE001 — any failure of a peer is retried, never fatal
                row.attempts += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:300]
                if row.attempts >= MAX_ATTEMPTS:
                    row.abandoned_at = utcnow()
                    log.warning("notification %s given up: %s", row.id, row.last_error)
                else:
                    row.next_attempt_at = utcnow() + timedelta(seconds=backoff_seconds(row.attempts))
                continue
            if delivered:
                row.sent_at = utcnow()
                sent += 1
            else:
                row.abandoned_at, row.last_error = utcnow(), "no address to send to"
    return sent


async def warn_of_sla_targets(*, db: Database, settings: ContributorsSettings) -> int:
    """Warn the responsible person of each target due within `ticket_sla_warning_minutes`, once."""
    async with db.sessionmaker() as session, session.begin():
        claimed = await repository.claim_sla_warnings(
            session, now=utcnow(), ahead=timedelta(minutes=settings.ticket_sla_warning_minutes)
        )
        for ticket, target in claimed:
            await notify_ticket(session, settings, "ticket.sla_warning", ticket, detail=target)
    return len(claimed)
