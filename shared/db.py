"""Async database access for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import asyncpg
import orjson
from fastapi import Depends, Request
from sqlalchemy import DateTime, String, Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from shared.errors import Conflict
from shared.localtime import sqlite_local_day, sqlite_local_day_start

SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "labelops_write"


def dialect_of(session: AsyncSession) -> str:
    """The session's database ("postgresql" or "sqlite"), where a query must be written for each."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_base() -> type[SQLModel]:
    """A SQLModel base with its own registry, so each service's tables live in their own MetaData."""

    class Base(SQLModel, registry=registry()):
        pass

    return Base


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class DecimalText(TypeDecorator[Decimal]):
    """Decimal stored as its exact text: SQLite has no decimal type and would round through float."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> str | None:
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: str | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


log = logging.getLogger("labelops.db")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _json_serializer(value: Any) -> str:
    return orjson.dumps(value).decode()


def create_engine(url: str, *, pool_size: int = 32, plan_cache_mode: str | None = None) -> AsyncEngine:
    """Create the service engine; SQLite gets WAL, a busy timeout and foreign keys on every connection."""
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            # A pooled connection keeps its aiosqlite thread; opening one per request costs milliseconds.
            pool_size=pool_size,
            max_overflow=0,
            json_serializer=_json_serializer,
            json_deserializer=orjson.loads,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's `begin` event below decide how each transaction starts.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # PostgreSQL knows time zones; SQLite gets the two functions the services' SQL uses.
            dbapi_connection.create_function("local_day", 2, sqlite_local_day, deterministic=True)
            dbapi_connection.create_function("local_day_start", 2, sqlite_local_day_start, deterministic=True)

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A writing transaction takes the write lock up front: two deferred transactions that both
            # read and then write would fail with SQLITE_BUSY instead of waiting for each other.
            immediate = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        # No overflow: an overflow connection is closed as soon as it is returned to a full pool, so
        # under steady load the pool opened and closed several PostgreSQL backends a second (a fork
        # each). Requests beyond the pool wait for a connection instead.
        max_overflow=0,
        # A ping is a round trip on every checkout; the checkout listener below asks the driver instead.
        pool_pre_ping=False,
        json_serializer=_json_serializer,
        json_deserializer=orjson.loads,
        connect_args={"server_settings": {"plan_cache_mode": plan_cache_mode}} if plan_cache_mode else {},
    )

    @event.listens_for(engine.sync_engine, "checkout")
    def _discard_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # A backend that was terminated (a restart, a failover, pg_terminate_backend) while its connection
        # sat in the pool has closed the socket, and asyncpg has seen it: the pool replaces the
        # connection with a fresh one instead of handing out a dead one. Costs no round trip.
        if dbapi_connection.driver_connection.is_closed():
            raise DisconnectionError("the database closed this pooled connection")

    @event.listens_for(engine.sync_engine, "handle_error")
    def _lost_connection_is_a_disconnect(context: Any) -> DBAPIError | None:
        # SQLAlchemy's asyncpg dialect passes these on unwrapped and would return the connection to the pool.
        error = context.original_exception
        if context.is_disconnect or not isinstance(error, CONNECTION_LOST):
            return None
        context.is_disconnect = True
        return DBAPIError(context.statement, context.parameters, error, connection_invalidated=True)

    return engine


# Client-side signs that the server went away under a statement: asyncpg raises InternalClientError when
# the server's FATAL message (a terminated backend) arrived before its socket closed, leaving the protocol
# waiting for a reply that never comes; OSError when the socket itself failed.
CONNECTION_LOST = (asyncpg.InternalClientError, OSError)


def connection_lost(error: BaseException, driver_connection: Any) -> bool:
    """True when a PostgreSQL connection cannot be used again after `error`."""
    return isinstance(error, CONNECTION_LOST) or driver_connection.is_closed()


@dataclass
class Database:
    """The engine and session factories of one service, kept on `app.state.db`.

    `sessionmaker` is for transactions that write, `read_sessionmaker` for those that only read; the
    difference matters on SQLite only, where a writer must take the lock when it begins.
    """

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    read_sessionmaker: async_sessionmaker[AsyncSession]
    # For single-statement reads on hot paths: no BEGIN/ROLLBACK round trips around the query.
    autocommit: AsyncEngine

    @classmethod
    def connect(cls, url: str, *, pool_size: int = 32, plan_cache_mode: str | None = None) -> Database:
        engine = create_engine(url, pool_size=pool_size, plan_cache_mode=plan_cache_mode)
        writer = engine.execution_options(**{WRITE_OPTION: True})
        return cls(
            engine,
            async_sessionmaker(writer, expire_on_commit=False, autoflush=False),
            async_sessionmaker(engine, expire_on_commit=False, autoflush=False),
            engine.execution_options(isolation_level="AUTOCOMMIT"),
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def fill_pool(self, size: int, *, timeout_seconds: float = 10.0) -> int:
        """Open `size` pooled connections now, so the first burst of requests after a start does not
        wait for PostgreSQL to fork a backend per connection; returns how many are open. Best effort:
        a database that is down or slow is logged and left to /readyz, and the process still starts."""
        async with AsyncExitStack() as held:
            try:
                # A task group, not gather: when one connect fails the others are cancelled, so none
                # finishes after the stack has closed and stays checked out of the pool for good.
                async with asyncio.timeout(timeout_seconds), asyncio.TaskGroup() as group:
                    for _ in range(size):
                        group.create_task(held.enter_async_context(self.engine.connect()))
            except* (OSError, SQLAlchemyError, TimeoutError) as failed:
                kinds = sorted({type(e).__name__ for e in failed.exceptions})
                log.warning("database pool not filled at startup: %s", ", ".join(kinds))
        return self.engine.pool.checkedin()

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed after the handler returns, before the response is sent."""
    db: Database = request.app.state.db
    async with db.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
    for hook in session.info.get("after_commit", ()):
        hook(request.app)


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A read-only request transaction: never committed, so nothing it touches can be written."""
    db: Database = request.app.state.db
    async with db.read_sessionmaker() as session:
        yield session


# scope="function" runs the commit when the handler returns, so a failing commit becomes an error
# response instead of a 2xx already on the wire.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
ReadSessionDep = Annotated[AsyncSession, Depends(_read_session, scope="function")]


def after_commit(session: AsyncSession, hook: Any) -> None:
    """Run `hook(app)` once the request's transaction has committed (e.g. wake the outbox dispatcher)."""
    hooks: list[Any] = session.info.setdefault("after_commit", [])
    if hook not in hooks:
        hooks.append(hook)


async def flush_or_conflict(session: AsyncSession, *, conflict: str) -> None:
    """Flush pending rows; a unique-key clash becomes a 409 with `conflict` as its detail.

    The savepoint keeps the request's transaction usable after the clash."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(conflict) from exc


async def insert_ignoring_conflicts(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row was inserted (idempotent receivers use it)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table).values(**values).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return bool(result.rowcount)
