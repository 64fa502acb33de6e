"""budget_caps: hard-cap budgets as units, pushed by the vendors service (budget.cap_changed)

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "budget_caps",
        sa.Column("budget_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("max_units", sa.Integer(), nullable=True),
        sa.Column("period_start", UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("budget_id"),
    )
    op.create_index("ix_budget_caps_project_vendor", "budget_caps", ["project_id", "vendor_id"])


def downgrade() -> None:
    op.drop_index("ix_budget_caps_project_vendor", table_name="budget_caps")
    op.drop_table("budget_caps")
