"""vendor_statuses: the vendors' status as assignment knows it (from vendor.status_changed)

Revision ID: 0009
Revises: 0008

Empty at first: a vendor never heard of counts as active, as every vendor did before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vendor_statuses",
        sa.Column("vendor_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("vendor_id"),
    )


def downgrade() -> None:
    op.drop_table("vendor_statuses")
