"""Throwaway databases for a test session: SQLite files, or fresh PostgreSQL databases on the server."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterable
from pathlib import Path

import asyncpg
from sqlalchemy import make_url

from shared.migrations import upgrade_to_head
from shared.settings import SERVICE_PORTS

BACKEND = os.environ.get("LABELOPS_TEST_DATABASE", "sqlite")
PG_URL = os.environ.get("LABELOPS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# Both xdist workers share PostgreSQL's default max_connections, 100 (3 kept for superusers). A pool
# keeps every connection it has opened, so at the production size (16 per service) each worker's cluster
# grew to 64 after its concurrency tests, and with the in-process apps and a test's own platform the
# server refused connections ("too many clients already"). At 4 per service process a worker holds at
# most 16 (its cluster) + 20 (a platform of a test's own, with a second gateway) + 8 (the in-process
# contributors and vendors apps) + 2 (the tasks tests' own pool) = 46, two workers 92. Requests beyond
# a pool wait for a connection, as in production.
TEST_POOL_SIZE = 4


class Databases:
    """One database per service (every service unless `services` names some), created and migrated to head,
    dropped by `drop()`."""

    def __init__(self, workdir: Path, *, backend: str = BACKEND, services: Iterable[str] = SERVICE_PORTS):
        self.backend = backend
        self.services = tuple(services)
        self.workdir = workdir
        self.tag = uuid.uuid4().hex[:10]
        self.urls: dict[str, str] = {}

    def create(self) -> dict[str, str]:
        for service in self.services:
            if self.backend == "sqlite":
                url = f"sqlite+aiosqlite:///{self.workdir / f'{service}.db'}"
            else:
                name = f"lo_test_{self.tag}_{service}"
                asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
                url = service_database_url(name)
            upgrade_to_head(service, url)
            self.urls[service] = url
        return self.urls

    def drop(self) -> None:
        if self.backend != "postgresql":
            return
        for service in self.urls:
            asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "lo_test_{self.tag}_{service}" WITH (FORCE)'))


def service_database_url(name: str) -> str:
    """PG_URL pointed at database `name` on the asyncpg driver, keeping its query (e.g. `?host=` for a
    Unix socket)."""
    url = make_url(PG_URL).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)


async def _admin_sql(sql: str) -> None:
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
