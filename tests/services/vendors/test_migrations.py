"""Vendors migrations that change existing rows: what a database upgraded in place holds afterwards."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.migrations import alembic_config
from tests.support.databases import Databases
from tests.support.sql import query


@pytest.fixture
def vendors_db(tmp_path):
    """A vendors database of its own, so it can be taken back to an older revision."""
    databases = Databases(tmp_path)
    yield databases.create()["vendors"]
    databases.drop()


def insert_legacy_source(url: str) -> None:
    async def run() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO vms_sources (source, secret, created_at) VALUES ('legacy', 's', CURRENT_TIMESTAMP)"
                )
            )
        await engine.dispose()

    asyncio.run(run())


def test_a_source_registered_before_bindings_is_bound_to_no_vendor(vendors_db):
    config = alembic_config("vendors", vendors_db)
    command.downgrade(config, "0002")
    insert_legacy_source(vendors_db)

    command.upgrade(config, "head")

    assert query(vendors_db, "SELECT source, CAST(vendor_ids AS TEXT) AS vendor_ids FROM vms_sources") == [
        {"source": "legacy", "vendor_ids": "[]"}
    ]
