"""invoices record what approval pays and on what basis; every status change is audited

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 07:00:00

Invoices approved before this revision keep approved_total null: nobody decided an amount for them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_total", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("approval_basis", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("override_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True)
        )
    op.create_table(
        "invoice_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("override_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("approval_basis", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("total_claimed", sa.String(length=40), nullable=True),
        sa.Column("total_supported", sa.String(length=40), nullable=True),
        sa.Column("approved_total", sa.String(length=40), nullable=True),
        sa.Column("has_discrepancies", sa.Boolean(), nullable=True),
        sa.Column("at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("invoice_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoice_audit_invoice_id"), ["invoice_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invoice_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_audit_invoice_id"))
    op.drop_table("invoice_audit")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("override_reason")
        batch_op.drop_column("approval_basis")
        batch_op.drop_column("approved_total")
