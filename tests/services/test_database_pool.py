"""The pool prefill: connections opened at startup when asked, and a database that is down never stops a
process from starting."""

from __future__ import annotations

import logging
import uuid

import asyncpg
import pytest
from sqlalchemy import make_url

from services.vendors.settings import VendorsSettings
from shared.app import ServiceParts, create_service_app
from shared.db import Database
from tests.support.cluster import free_port
from tests.support.databases import BACKEND, PG_URL

SECRET = "p" * 40


def _opened(database: Database) -> int:
    pool = database.engine.pool
    return pool.checkedin() + pool.checkedout()


async def test_fill_pool_opens_every_connection_of_the_pool(databases):
    database = Database.connect(databases.urls["vendors"], pool_size=3)
    try:
        assert _opened(database) == 0
        assert await database.fill_pool(3) == 3
        assert database.engine.pool.checkedin() == 3
    finally:
        await database.dispose()


async def test_a_service_asked_to_prefill_starts_with_its_pool_open(databases):
    opened = {}
    for prefill in (False, True):
        settings = VendorsSettings(
            database_url=databases.urls["vendors"],
            internal_token_secret=SECRET,
            database_pool_size=4,
            database_pool_prefill=prefill,
        )
        app = create_service_app(ServiceParts(settings=settings, title="t", routers=[]))
        async with app.router.lifespan_context(app):
            opened[prefill] = _opened(app.state.db)

    # Without prefill only what startup itself used is open (the outbox dispatcher may hold one).
    assert opened[True] == 4
    assert opened[False] <= 1


def _unreachable_url(tmp_path) -> str:
    if BACKEND == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'no-such-directory' / 'vendors.db'}"
    return make_url("postgresql+asyncpg://postgres@127.0.0.1/none").set(port=free_port()).render_as_string()


async def test_a_database_that_is_down_leaves_the_pool_empty_and_is_logged(tmp_path, caplog):
    database = Database.connect(_unreachable_url(tmp_path), pool_size=2)
    try:
        with caplog.at_level(logging.WARNING, logger="labelops.db"):
            assert await database.fill_pool(2) == 0
    finally:
        await database.dispose()
    assert "database pool not filled at startup" in caplog.text


@pytest.mark.skipif(BACKEND != "postgresql", reason="per-role connection limits are PostgreSQL's")
async def test_connections_refused_midway_leave_none_checked_out(databases, caplog):
    role = f"lo_limited_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 2")
    url = make_url(databases.urls["vendors"]).set(username=role).render_as_string(hide_password=False)
    database = Database.connect(url, pool_size=6)
    try:
        with caplog.at_level(logging.WARNING, logger="labelops.db"):
            opened = await database.fill_pool(6)
        pool = database.engine.pool
        assert (opened, pool.checkedout()) == (pool.checkedin(), 0)
        assert opened <= 2
        assert "database pool not filled at startup" in caplog.text
    finally:
        await database.dispose()
        await admin.execute(f"DROP ROLE {role}")
        await admin.close()
