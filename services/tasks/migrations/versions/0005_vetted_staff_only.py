"""vetted staff only projects and the vetting of contributor profiles

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:57:55.803532

Existing projects keep their workforce (vetted_staff_only = false); existing profiles are unvetted until
the contributor's next `contributor.upserted` carries its vetting.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contributor_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vetting", sa.JSON(none_as_null=True), nullable=True))

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("vetted_staff_only", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("vetted_staff_only")

    with op.batch_alter_table("contributor_profiles", schema=None) as batch_op:
        batch_op.drop_column("vetting")
