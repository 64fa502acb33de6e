"""audit_events.target holds a whole email (a failed login's), 254 characters

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 09:30:00.000000
"""

from collections.abc import Sequence

import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column(
            "target",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=100),
            type_=sqlmodel.sql.sqltypes.AutoString(length=254),
            existing_nullable=True,
        )


def downgrade() -> None:
    op.execute("UPDATE audit_events SET target = substr(target, 1, 100) WHERE length(target) > 100")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column(
            "target",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=254),
            type_=sqlmodel.sql.sqltypes.AutoString(length=100),
            existing_nullable=True,
        )
