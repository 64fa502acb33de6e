"""contributor vetting for harmful content, with its history

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 15:53:48.700257

Nobody is vetted after the upgrade: vetting is a fact ops record, never inferred.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contributor_vetting_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("expires_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["contributors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contributor_vetting_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contributor_vetting_changes_contributor_id"), ["contributor_id"], unique=False
        )

    with op.batch_alter_table("contributors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vetted_at", shared.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("vetted_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column("vetting_expires_at", shared.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("contributors", schema=None) as batch_op:
        batch_op.drop_column("vetting_expires_at")
        batch_op.drop_column("vetted_by")
        batch_op.drop_column("vetted_at")

    with op.batch_alter_table("contributor_vetting_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contributor_vetting_changes_contributor_id"))

    op.drop_table("contributor_vetting_changes")
