"""permission_audit names the grantee, role and expiry of the permission it records

Revision ID: 0010
Revises: 0009

Rows written before keep what they had; their grantee is filled from the permission they name.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FROM_PERMISSION = "(SELECT p.{column} FROM queue_permissions p WHERE p.id = permission_audit.permission_id)"


def upgrade() -> None:
    with op.batch_alter_table("permission_audit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vendor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("crowd", sa.Boolean(), server_default=sa.text("false"), nullable=False))
        batch_op.add_column(sa.Column("role", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("expires_at", UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE permission_audit SET "
        + ", ".join(f"{c} = {FROM_PERMISSION.format(column=c)}" for c in ("vendor_id", "role", "expires_at"))
        + f", contributor_id = coalesce(contributor_id, {FROM_PERMISSION.format(column='contributor_id')})"
        + f", crowd = coalesce({FROM_PERMISSION.format(column='crowd')}, false)"
        + " WHERE permission_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("permission_audit", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("role")
        batch_op.drop_column("crowd")
        batch_op.drop_column("vendor_id")
