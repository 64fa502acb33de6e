"""Vendors migrations that change existing rows: what a database upgraded in place holds afterwards."""

from __future__ import annotations

import asyncio
import hashlib

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
    databases = Databases(tmp_path, services=["vendors"])
    yield databases.create()["vendors"]
    databases.drop()


def execute(url: str, sql: str) -> None:
    async def run() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(run())


def test_a_source_registered_before_bindings_is_bound_to_no_vendor(vendors_db):
    config = alembic_config("vendors", vendors_db)
    command.downgrade(config, "0002")
    execute(
        vendors_db,
        "INSERT INTO vms_sources (source, secret, created_at) VALUES ('legacy', 's', CURRENT_TIMESTAMP)",
    )

    command.upgrade(config, "head")

    assert query(vendors_db, "SELECT source, CAST(vendor_ids AS TEXT) AS vendor_ids FROM vms_sources") == [
        {"source": "legacy", "vendor_ids": "[]"}
    ]


def test_inbound_webhooks_stored_before_the_digest_keep_deduplicating(vendors_db):
    config = alembic_config("vendors", vendors_db)
    command.downgrade(config, "0003")
    execute(vendors_db, "INSERT INTO inbound_webhooks (source, webhook_id, event_type, outcome, received_at) "
                        "VALUES ('vms', 'msg_1', 'vendor.updated', 'done', CURRENT_TIMESTAMP)")  # fmt: skip

    command.upgrade(config, "head")

    rows = query(vendors_db, "SELECT webhook_id_sha256 FROM inbound_webhooks WHERE webhook_id = 'msg_1'")
    assert rows == [{"webhook_id_sha256": hashlib.sha256(b"msg_1").hexdigest()}]
