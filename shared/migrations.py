"""Alembic glue shared by every service: one migrations folder per service, one database per service."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import async_engine_from_config

from shared.db import UTCDateTime

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def alembic_config(service: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    # ConfigParser interpolation would choke on '%' in passwords.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(service: str, database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(service, database_url), "head")


# Full-text search is each backend's own, created by migrations rather than declared by models: SQLite's
# FTS5 tables (and their shadow tables) kept by triggers, PostgreSQL's GIN indexes named `ix_…_search`.
# Autogenerate must not take them for objects to drop.
SEARCH_INDEX_TABLE = re.compile(r"^\w+_fts(_(data|idx|docsize|config|content))?$")
SEARCH_INDEX = re.compile(r"^ix_\w+_search$")


def _declared_or_ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    if not reflected or compare_to is not None:
        return True
    pattern = {"table": SEARCH_INDEX_TABLE, "index": SEARCH_INDEX}.get(type_)
    return pattern is None or not pattern.match(name or "")


def _run_sync(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_declared_or_ours,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(metadata: MetaData) -> None:
    config = context.config
    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync, metadata)
    await engine.dispose()


def run_migrations(metadata: MetaData) -> None:
    """Body of every service's env.py: online migrations over the async driver."""
    if context.is_offline_mode():
        context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_async(metadata))


def create_event_tables() -> None:
    """The outbox and inbox of `shared.events` (see `define_event_tables`), for a service's first migration."""
    op.create_table(
        "event_inbox",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("received_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "event_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("destination", sa.String(length=50), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_event_outbox_pending", "event_outbox", ["delivered_at", "next_attempt_at"], unique=False
    )


def drop_event_tables() -> None:
    op.drop_index("ix_event_outbox_pending", table_name="event_outbox")
    op.drop_table("event_outbox")
    op.drop_table("event_inbox")
