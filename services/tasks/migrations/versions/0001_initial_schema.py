"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 08:25:19.596723
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
        "contributor_profiles",
        sa.Column("contributor_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("contributor_id"),
    )
    with op.batch_alter_table("contributor_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contributor_profiles_vendor_id"), ["vendor_id"], unique=False)
    create_event_tables()


def downgrade() -> None:
    drop_event_tables()
    with op.batch_alter_table("contributor_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contributor_profiles_vendor_id"))

    op.drop_table("contributor_profiles")
