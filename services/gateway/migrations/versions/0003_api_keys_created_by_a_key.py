"""an API key may be created by another (admin) API key: created_by is nullable

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.alter_column("created_by", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Keys created by a key have no creating user to restore; they cannot outlive the downgrade.
    op.execute("DELETE FROM api_keys WHERE created_by IS NULL")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.alter_column("created_by", existing_type=sa.Integer(), nullable=False)
