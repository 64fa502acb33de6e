"""Events between services: a transactional outbox, an HTTP dispatcher, and an idempotent inbox.

A service writes its outbox rows in the same transaction as the change (`publish`), so an event exists
if and only if the change committed. The dispatcher POSTs each row to the destination service's
`POST /internal/events`; the receiver records the event id in its inbox in the same transaction as its
handler, so a redelivery (after a timeout or a crash between send and mark) has no second effect.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import JSON, Column, Index, Integer, MetaData, String, Table, Text, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth import ServiceCaller, issue_internal_token, service_principal
from shared.background import DrainingLoop
from shared.db import SessionDep, UTCDateTime, insert_ignoring_conflicts, utcnow
from shared.errors import Unprocessable
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_LAG
from shared.rawsql import RawConnection, RawQuery, session_connection

log = logging.getLogger("labelops.events")

MAX_BACKOFF_SECONDS = 300.0
# A claimed row is invisible to other dispatchers for this long; covers a slow delivery attempt.
CLAIM_SECONDS = 60.0
BATCH_SIZE = 100


@dataclass(frozen=True)
class EventTables:
    outbox: Table
    inbox: Table


def define_event_tables(metadata: MetaData) -> EventTables:
    """The outbox and inbox tables in a service's own metadata (its migrations create them)."""
    outbox = Table(
        "event_outbox",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("destination", String(50), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("occurred_at", UTCDateTime(), nullable=False),
        Column("attempts", Integer, nullable=False, default=0),
        Column("next_attempt_at", UTCDateTime(), nullable=False),
        Column("delivered_at", UTCDateTime(), nullable=True),
        Column("last_error", Text, nullable=True),
        Index("ix_event_outbox_pending", "delivered_at", "next_attempt_at"),
    )
    inbox = Table(
        "event_inbox",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("source", String(50), nullable=False),
        Column("received_at", UTCDateTime(), nullable=False),
    )
    return EventTables(outbox, inbox)


class Event(BaseModel):
    """The envelope every service sends and receives."""

    id: str = Field(min_length=1, max_length=36)
    type: str = Field(min_length=1, max_length=100)
    source: str = Field(min_length=1, max_length=50)
    occurred_at: datetime
    data: dict[str, Any]


class Publisher:
    """Writes events to the outbox, one row per subscribed destination service."""

    def __init__(self, *, source: str, tables: EventTables, routes: Mapping[str, tuple[str, ...]]):
        self.source = source
        self.tables = tables
        self.routes = routes

    def publishes(self, event_type: str) -> bool:
        """Whether anyone subscribes to `event_type` (an unrouted event writes nothing)."""
        return bool(self.routes.get(event_type))

    async def publish(self, db: AsyncSession | RawConnection, event_type: str, data: dict[str, Any]) -> str:
        """Record `event_type` for every destination subscribed to it, inside the caller's transaction (an
        ORM session's, or the one a hot path opened on its driver connection); the dispatcher is woken
        once it commits."""
        connection = await session_connection(db) if isinstance(db, AsyncSession) else db
        event_id, now = str(uuid.uuid4()), utcnow()
        rows = [
            {"event_id": event_id, "event_type": event_type, "destination": d, "payload": data, "now": now}
            for d in self.routes.get(event_type, ())
        ]
        if rows:
            await connection.execute_many(_OUTBOX_INSERT, rows)
            connection.after_commit(_wake_dispatcher)
        return event_id


_OUTBOX_INSERT = RawQuery(
    "INSERT INTO event_outbox (event_id, event_type, destination, payload, occurred_at, attempts, next_attempt_at)"
    " VALUES (:event_id, :event_type, :destination, :payload, :now, 0, :now)",
    json_params=("payload",),
    time_params=("now",),
)


def _wake_dispatcher(app: Any) -> None:
    dispatcher = getattr(app.state, "dispatcher", None)
    if dispatcher is not None:
        dispatcher.wake()


def backoff_seconds(attempts: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter, capped: 1s, 2s, 4s … up to MAX_BACKOFF_SECONDS."""
    ceiling = min(MAX_BACKOFF_SECONDS, 2.0 ** max(attempts - 1, 0))
    return (rng or random).uniform(ceiling / 2, ceiling)


class OutboxDispatcher(DrainingLoop):
    """Background loop delivering outbox rows; safe with several replicas (rows are claimed first)."""

    def __init__(
        self,
        *,
        source: str,
        tables: EventTables,
        sessionmaker: async_sessionmaker[AsyncSession],
        destination_url: Callable[[str], str],
        secret: str,
        client: httpx.AsyncClient,
        poll_seconds: float = 1.0,
    ):
        super().__init__(name=f"{source}-outbox", batch_size=BATCH_SIZE, poll_seconds=poll_seconds)
        self.source = source
        self.outbox = tables.outbox
        self.sessionmaker = sessionmaker
        self.destination_url = destination_url
        self.secret = secret
        self.client = client

    async def _claim_due(self) -> list[dict[str, Any]]:
        now = utcnow()
        async with self.sessionmaker() as session, session.begin():
            due = (
                select(self.outbox.c.id)
                .where(self.outbox.c.delivered_at.is_(None), self.outbox.c.next_attempt_at <= now)
                .order_by(self.outbox.c.id)
                .limit(BATCH_SIZE)
            )
            if session.bind.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            rows = (
                await session.execute(
                    update(self.outbox)
                    .where(self.outbox.c.id.in_(due.scalar_subquery()))
                    .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
                    .returning(*self.outbox.c)
                )
            ).mappings()
            return sorted((dict(r) for r in rows), key=lambda r: r["id"])

    async def drain_once(self) -> int:
        """Try every due row once; returns how many were claimed."""
        rows = await self._claim_due()
        for row in rows:
            await self._deliver(row)
        return len(rows)

    async def _deliver(self, row: dict[str, Any]) -> None:
        event = {
            "id": row["event_id"],
            "type": row["event_type"],
            "source": self.source,
            "occurred_at": row["occurred_at"].isoformat(),
            "data": row["payload"],
        }
        token = issue_internal_token(service_principal(self.source), secret=self.secret, ttl_seconds=60)
        error: str | None = None
        try:
            response = await self.client.post(
                self.destination_url(row["destination"]).rstrip("/") + "/internal/events",
                json=event,
                headers={"Authorization": f"Bearer {token}"},
            )
            if response.status_code >= 300:
                error = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        async with self.sessionmaker() as session, session.begin():
            attempts = row["attempts"] + 1
            if error is None:
                values = {"delivered_at": utcnow(), "attempts": attempts, "last_error": None}
            else:
                retry_at = utcnow() + timedelta(seconds=backoff_seconds(attempts))
                values = {"attempts": attempts, "next_attempt_at": retry_at, "last_error": error}
                log.warning(
                    "event %s to %s failed (attempt %d): %s",
                    row["event_id"],
                    row["destination"],
                    attempts,
                    error,
                )
            await session.execute(update(self.outbox).where(self.outbox.c.id == row["id"]).values(**values))


async def undelivered_outbox(session: AsyncSession, outbox: Table) -> tuple[int, datetime | None]:
    """How many outbox rows are not delivered yet, and when the oldest of them happened."""
    stmt = select(func.count(), func.min(outbox.c.occurred_at)).where(outbox.c.delivered_at.is_(None))
    count, oldest = (await session.execute(stmt)).one()
    return int(count), oldest


def outbox_lag_hook(*, service: str, tables: EventTables) -> Callable[[Any], Awaitable[None]]:
    """A scrape hook setting the outbox backlog and lag gauges of `service` from its outbox table."""

    async def refresh_outbox_lag(app: Any) -> None:
        async with app.state.db.read_sessionmaker() as session:
            count, oldest = await undelivered_outbox(session, tables.outbox)
        OUTBOX_BACKLOG.labels(service).set(count)
        OUTBOX_LAG.labels(service).set(
            0.0 if oldest is None else max(0.0, (utcnow() - oldest).total_seconds())
        )

    return refresh_outbox_lag


EventHandler = Callable[[AsyncSession, Event], Awaitable[None]]


def events_router(*, tables: EventTables, handlers: Mapping[str, EventHandler]) -> APIRouter:
    """`POST /internal/events`: run the handler for the event's type at most once per event id."""
    router = APIRouter(tags=["internal"])

    @router.post("/internal/events", include_in_schema=False)
    async def receive_event(event: Event, session: SessionDep, _caller: ServiceCaller) -> dict[str, str]:
        handler = handlers.get(event.type)
        if handler is None:
            raise Unprocessable(f"this service does not handle '{event.type}' events")
        fresh = await insert_ignoring_conflicts(
            session,
            tables.inbox,
            {"event_id": event.id, "event_type": event.type, "source": event.source, "received_at": utcnow()},
        )
        if not fresh:
            return {"status": "duplicate"}
        await handler(session, event)
        return {"status": "processed"}

    return router
