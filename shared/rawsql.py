"""Fixed SQL statements run straight on the driver connection, for the few hot paths.

SQLAlchemy's per-execution work (statement cache keys, result processing, the greenlet hop) costs
more than a short indexed query itself: profiling the assignment loop showed it at about twice the
driver's own cost. A `RawQuery` is written once with `:name` parameters and declared column kinds; it
runs on asyncpg (numbered parameters, its own prepared-statement cache) or on aiosqlite (named
parameters), and hands back plain dicts with the same Python values on both: UTC-aware datetimes,
bools, decoded JSON. Driver errors are raised as SQLAlchemy's `DBAPIError`/`IntegrityError`, so the
problem+json mapping in `shared.errors` (503 when the database refuses, 422 out of range) applies.
Connections come from the service's SQLAlchemy pool, so there is one pool per service.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

import asyncpg
import orjson
from fastapi import Depends, Request
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from shared.db import CONNECTION_LOST, WRITE_OPTION, connection_lost
from shared.localtime import SQLITE_TIME

_PARAM = re.compile(r"(?<![:\w]):([a-zA-Z_]\w*)")


def _sqlite_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime(SQLITE_TIME)


def _from_sqlite_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _json(value: Any) -> str | None:
    # None is SQL NULL, not the JSON text 'null'.
    return None if value is None else orjson.dumps(value).decode()


@dataclass(frozen=True)
class RawQuery:
    """One statement with `:name` parameters; `json_params`/`time_params` say how to send values,
    `json_cols`/`time_cols`/`bool_cols` how to read columns (SQLite stores them as text and integers)."""

    sql: str
    json_params: tuple[str, ...] = ()
    time_params: tuple[str, ...] = ()
    json_cols: tuple[str, ...] = ()
    time_cols: tuple[str, ...] = ()
    bool_cols: tuple[str, ...] = ()
    _pg_sql: str = field(init=False, repr=False, compare=False)
    _pg_order: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        order: list[str] = []

        def number(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in order:
                order.append(name)
            return f"${order.index(name) + 1}"

        object.__setattr__(self, "_pg_sql", _PARAM.sub(number, self.sql))
        object.__setattr__(self, "_pg_order", tuple(order))

    def pg_args(self, params: dict[str, Any]) -> list[Any]:
        json_params = self.json_params
        return [_json(params[name]) if name in json_params else params[name] for name in self._pg_order]

    def sqlite_args(self, params: dict[str, Any]) -> dict[str, Any]:
        out = dict(params)
        for name in self.json_params:
            out[name] = _json(out[name])
        for name in self.time_params:
            if out[name] is not None:
                out[name] = _sqlite_time(out[name])
        return out

    def sqlite_row(self, row: dict[str, Any]) -> dict[str, Any]:
        for name in self.json_cols:
            if row.get(name) is not None:
                row[name] = orjson.loads(row[name])
        for name in self.time_cols:
            row[name] = _from_sqlite_time(row.get(name))
        for name in self.bool_cols:
            if row.get(name) is not None:
                row[name] = bool(row[name])
        return row


_DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, sqlite3.Error, *CONNECTION_LOST)


class RawConnection:
    """A pooled connection used through its driver; statements autocommit unless inside `transaction()`."""

    def __init__(
        self, sa_connection: AsyncConnection, driver: Any, after_commit_hooks: list[Any] | None = None
    ):
        self.sa_connection = sa_connection
        self.driver = driver
        self.dialect = sa_connection.dialect.name
        self.after_commit_hooks: list[Any] = [] if after_commit_hooks is None else after_commit_hooks

    @asynccontextmanager
    async def orm_session(self) -> AsyncIterator[AsyncSession]:
        """A writing ORM session on this same connection, committed at the end: a request that needs
        the ORM for a rarer branch never holds a second pooled connection (which could starve the pool)."""
        await self.sa_connection.execution_options(**{WRITE_OPTION: True})
        async with AsyncSession(bind=self.sa_connection, expire_on_commit=False, autoflush=False) as session:
            session.info["after_commit"] = self.after_commit_hooks
            yield session
            await session.commit()

    @asynccontextmanager
    async def _as_dbapi_errors(self, sql: str, params: Any) -> AsyncIterator[None]:
        """Driver errors raised as SQLAlchemy's, as the ORM path raises them. A connection the server
        closed under the statement is invalidated, so the pool never hands it out again, and the
        error says so (`connection_invalidated`: answered 503, not 500)."""
        try:
            yield
        except _DRIVER_ERRORS as exc:
            closed = self.dialect == "postgresql" and connection_lost(exc, self.driver)
            if closed:
                await self.sa_connection.invalidate(exc)
            integrity = isinstance(exc, asyncpg.IntegrityConstraintViolationError | sqlite3.IntegrityError)
            kind = IntegrityError if integrity else DBAPIError
            raise kind(sql, params, exc, connection_invalidated=closed) from exc

    def after_commit(self, hook: Any) -> None:
        """Run `hook(app)` when the request is done with this connection (as shared.db.after_commit)."""
        if hook not in self.after_commit_hooks:
            self.after_commit_hooks.append(hook)

    async def fetch(self, query: RawQuery, params: dict[str, Any]) -> list[dict[str, Any]]:
        async with self._as_dbapi_errors(query.sql, params):
            if self.dialect == "postgresql":
                return [dict(r) for r in await self.driver.fetch(query._pg_sql, *query.pg_args(params))]
            cursor = await self.driver.execute(query.sql, query.sqlite_args(params))
            names = [d[0] for d in cursor.description or ()]
            rows = await cursor.fetchall()
            await cursor.close()
        return [query.sqlite_row(dict(zip(names, r, strict=True))) for r in rows]

    async def fetchrow(self, query: RawQuery, params: dict[str, Any]) -> dict[str, Any] | None:
        rows = await self.fetch(query, params)
        return rows[0] if rows else None

    async def execute_many(self, query: RawQuery, params: Iterable[dict[str, Any]]) -> None:
        async with self._as_dbapi_errors(query.sql, params):
            if self.dialect == "postgresql":
                await self.driver.executemany(query._pg_sql, [query.pg_args(p) for p in params])
            else:
                await self.driver.executemany(query.sql, [query.sqlite_args(p) for p in params])

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One atomic unit; on SQLite it takes the write lock up front (BEGIN IMMEDIATE), as shared.db does."""
        if self.dialect == "postgresql":
            # BEGIN and COMMIT/ROLLBACK meet a dropped connection like any statement.
            async with self._as_dbapi_errors("BEGIN", None), self.driver.transaction():
                yield
            return
        async with self._as_dbapi_errors("BEGIN IMMEDIATE", None):
            await self.driver.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            await self.driver.execute("ROLLBACK")
            raise
        async with self._as_dbapi_errors("COMMIT", None):
            await self.driver.execute("COMMIT")


@asynccontextmanager
async def raw_connection(engine: AsyncEngine) -> AsyncIterator[RawConnection]:
    async with engine.connect() as conn:
        fairy = await conn.get_raw_connection()
        yield RawConnection(conn, fairy.driver_connection)


async def session_connection(session: AsyncSession) -> RawConnection:
    """The driver connection under `session`, inside the session's transaction (for bulk statements
    that must commit with the ORM work around them); its after-commit hooks are the session's."""
    connection = await session.connection()
    fairy = await connection.get_raw_connection()
    return RawConnection(connection, fairy.driver_connection, session.info.setdefault("after_commit", []))


@asynccontextmanager
async def request_connection(request: Request) -> AsyncIterator[RawConnection]:
    """The request's connection; its after-commit hooks run once the request is done with it."""
    async with raw_connection(request.app.state.db.engine) as conn:
        yield conn
    for hook in conn.after_commit_hooks:
        hook(request.app)


async def _request_raw_connection(request: Request) -> AsyncIterator[RawConnection]:
    async with request_connection(request) as conn:
        yield conn


# A connection for the request's hot-path statements; the service decides what runs in a transaction.
RawConnectionDep = Annotated[RawConnection, Depends(_request_raw_connection, scope="function")]
