"""Queries of the notifications queue, and the claims that make each SLA warning go out once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Notification, Ticket
from services.contributors.repository.channels import claim_due_rows
from services.contributors.repository.tickets import CLOSED_STATUSES


async def add(session: AsyncSession, rows: list[Notification]) -> None:
    session.add_all(rows)
    await session.flush()


async def claim_due(
    session: AsyncSession, *, now: datetime, claim_seconds: float, limit: int
) -> list[Notification]:
    return await claim_due_rows(
        session, Notification, Notification.sent_at.is_(None), Notification.abandoned_at.is_(None),
        now=now, claim_seconds=claim_seconds, limit=limit,
    )  # fmt: skip


async def claim_sla_warnings(
    session: AsyncSession, *, now: datetime, ahead: timedelta
) -> list[tuple[Ticket, str]]:
    """Tickets whose first-response or resolution target falls due within `ahead` and whose responsible
    person was not warned yet, marked warned (once across replicas: the UPDATE claims them)."""
    claimed: list[tuple[Ticket, str]] = []
    for kind, warned, pending in (
        (
            "first_response",
            Ticket.first_response_warned_at,
            and_(Ticket.first_response_at.is_(None), Ticket.first_response_due > now,
                 Ticket.first_response_due <= now + ahead),
        ),
        (
            "resolution",
            Ticket.resolution_warned_at,
            and_(Ticket.status != "waiting", Ticket.resolution_due > now, Ticket.resolution_due <= now + ahead),
        ),
    ):  # fmt: skip
        result = await session.execute(
            update(Ticket)
            .where(warned.is_(None), Ticket.status.not_in(CLOSED_STATUSES), pending)
            .values({warned.key: now})
            .returning(Ticket.id)
            .execution_options(synchronize_session=False)
        )
        ids = list(result.scalars())
        claimed += [(await session.get(Ticket, i), kind) for i in ids]
    return claimed
