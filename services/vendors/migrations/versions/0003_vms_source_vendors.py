"""VMS sources are bound to the vendors they may act on

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 10:00:00

A source registered before this acts on no vendor until an admin binds it
(PATCH /api/v1/webhooks/vms-sources/{id}): which vendor an old source spoke for cannot be told from
its rows, and guessing "all of them" would keep the hole open.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vms_sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vendor_ids", sa.JSON(), nullable=True))
    op.execute("UPDATE vms_sources SET vendor_ids = '[]'")
    with op.batch_alter_table("vms_sources", schema=None) as batch_op:
        batch_op.alter_column("vendor_ids", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("vms_sources", schema=None) as batch_op:
        batch_op.drop_column("vendor_ids")
