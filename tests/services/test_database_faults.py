"""A database that drops connections or refuses them costs 503s with Retry-After, never a 500, and a dead
connection is never handed out again: on the ORM path and on the raw driver path (shared.rawsql) alike."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.contributors.settings import ContributorsSettings
from shared.app import ServiceParts, create_service_app
from shared.auth import issue_internal_token, service_principal
from shared.db import Database, ReadSessionDep
from shared.rawsql import RawConnectionDep, RawQuery, raw_connection
from tests.support.cluster import free_port
from tests.support.databases import BACKEND, PG_URL

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL backends are what is terminated")

SECRET = "f" * 40
BACKEND_PID = RawQuery("SELECT pg_backend_pid() AS pid")
router = APIRouter()


@router.get("/api/v1/test-only/orm-pid")
async def orm_pid(session: ReadSessionDep) -> dict[str, int]:
    return {"pid": (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()}


@router.get("/api/v1/test-only/raw-pid")
async def raw_pid(connection: RawConnectionDep) -> dict[str, int]:
    return {"pid": (await connection.fetchrow(BACKEND_PID, {}))["pid"]}


async def _terminate(pid: int) -> None:
    """End the backend and wait until it has exited (pg_terminate_backend only signals it)."""
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute("SELECT pg_terminate_backend($1, 5000)", pid)
    finally:
        await admin.close()
    # Let the client's event loop read the closed socket, as an idle pool's would long before a checkout.
    await asyncio.sleep(0.05)


def _client(database_url: str) -> tuple[httpx.AsyncClient, object]:
    settings = ContributorsSettings(
        database_url=database_url, internal_token_secret=SECRET, database_pool_size=2
    )
    app = create_service_app(ServiceParts(settings=settings, title="t", routers=[router]))
    token = issue_internal_token(service_principal("test"), secret=SECRET, ttl_seconds=60)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    client = httpx.AsyncClient(
        transport=transport, base_url="http://app", headers={"Authorization": f"Bearer {token}"}
    )
    return client, app


@pytest.mark.parametrize("path", ["orm-pid", "raw-pid"])
async def test_a_pooled_connection_whose_backend_was_terminated_is_replaced_not_reused(databases, path):
    client, app = _client(databases.urls["contributors"])
    async with app.router.lifespan_context(app), client:
        before = (await client.get(f"/api/v1/test-only/{path}")).json()["pid"]
        await _terminate(before)

        after = [await client.get(f"/api/v1/test-only/{path}") for _ in range(4)]

    assert [r.status_code for r in after] == [200] * 4
    assert before not in {r.json()["pid"] for r in after}


async def test_a_statement_on_a_connection_dropped_under_it_is_invalidated(databases):
    database = Database.connect(databases.urls["contributors"], pool_size=1)
    try:
        async with raw_connection(database.engine) as connection:
            pid = (await connection.fetchrow(BACKEND_PID, {}))["pid"]
            await _terminate(pid)
            with pytest.raises(DBAPIError) as raised:
                await connection.fetchrow(BACKEND_PID, {})
        async with raw_connection(database.engine) as connection:
            fresh = (await connection.fetchrow(BACKEND_PID, {}))["pid"]
    finally:
        await database.dispose()

    assert raised.value.connection_invalidated
    assert fresh != pid


async def test_a_transaction_whose_connection_drops_under_it_is_invalidated(databases):
    database = Database.connect(databases.urls["contributors"], pool_size=1)
    try:
        async with raw_connection(database.engine) as connection:
            with pytest.raises(DBAPIError) as raised:
                async with connection.transaction():
                    pid = (await connection.fetchrow(BACKEND_PID, {}))["pid"]
                    await _terminate(pid)
                    await connection.fetchrow(BACKEND_PID, {})
    finally:
        await database.dispose()

    assert raised.value.connection_invalidated


@pytest.mark.parametrize("path", ["orm-pid", "raw-pid"])
async def test_a_database_that_refuses_connections_answers_503_with_retry_after(path):
    refused = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none"
    client, app = _client(refused)
    async with app.router.lifespan_context(app), client:
        response = await client.get(f"/api/v1/test-only/{path}")

    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
