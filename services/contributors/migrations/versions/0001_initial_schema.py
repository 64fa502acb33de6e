"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 08:23:07.088038
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db
from shared.migrations import create_event_tables, drop_event_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contributors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("source_channel", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    with op.batch_alter_table("contributors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contributors_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contributors_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_contributors_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_contributors_vendor_id"), ["vendor_id"], unique=False)
    create_event_tables()


def downgrade() -> None:
    drop_event_tables()
    with op.batch_alter_table("contributors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contributors_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_contributors_status"))
        batch_op.drop_index(batch_op.f("ix_contributors_country"))
        batch_op.drop_index(batch_op.f("ix_contributors_campaign_id"))

    op.drop_table("contributors")
