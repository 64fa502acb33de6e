"""support channels: requester profiles, channel threads, channel message ids, outgoing deliveries

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 06:45:20.953667

Tickets opened before the upgrade have no thread: only tickets that come in by email or Discord from now
on are answered there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "requester_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=True),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("discord_user_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("discord_username", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("telegram", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["contributors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("discord_user_id"),
        sa.UniqueConstraint("email"),
    )
    with op.batch_alter_table("requester_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_requester_profiles_contributor_id"), ["contributor_id"], unique=False
        )

    op.create_table(
        "ticket_threads",
        sa.Column("ticket_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("requester_profile_id", sa.Integer(), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("discord_dm_channel_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["requester_profile_id"],
            ["requester_profiles.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
        ),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    with op.batch_alter_table("ticket_threads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_threads_requester_profile_id"), ["requester_profile_id"], unique=False
        )

    op.create_table(
        "ticket_channel_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("ticket_message_id", sa.Integer(), nullable=True),
        sa.Column("ticket_event_id", sa.Integer(), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("in_reply_to", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("references", sa.Text(), nullable=True),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("abandoned_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_event_id"],
            ["ticket_events.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_message_id"],
            ["ticket_messages.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_event_id"),
        sa.UniqueConstraint("ticket_message_id"),
    )
    with op.batch_alter_table("ticket_channel_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_channel_deliveries_pending", ["delivered_at", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ticket_channel_deliveries_ticket_id"), ["ticket_id"], unique=False
        )

    op.create_table(
        "ticket_channel_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("ticket_message_id", sa.Integer(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_message_id"],
            ["ticket_messages.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "external_id", name="uq_ticket_channel_messages_external"),
    )
    with op.batch_alter_table("ticket_channel_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_channel_messages_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket_channel_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_channel_messages_ticket_id"))

    op.drop_table("ticket_channel_messages")
    with op.batch_alter_table("ticket_channel_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_channel_deliveries_ticket_id"))
        batch_op.drop_index("ix_ticket_channel_deliveries_pending")

    op.drop_table("ticket_channel_deliveries")
    with op.batch_alter_table("ticket_threads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_threads_requester_profile_id"))

    op.drop_table("ticket_threads")
    with op.batch_alter_table("requester_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requester_profiles_contributor_id"))

    op.drop_table("requester_profiles")
