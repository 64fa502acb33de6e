"""VMS inbound log: every signed message and its outcome, refusals included

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vms_inbound_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("webhook_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("received_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vms_inbound_log", schema=None) as batch_op:
        batch_op.create_index("ix_vms_inbound_log_source", ["source", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vms_inbound_log_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vms_inbound_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vms_inbound_log_received_at"))
        batch_op.drop_index("ix_vms_inbound_log_source")
    op.drop_table("vms_inbound_log")
