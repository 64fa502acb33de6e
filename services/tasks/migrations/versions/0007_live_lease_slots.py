"""a cap on live leases per contributor and queue: projects.max_live_leases and assignments.lease_slot

Revision ID: 0007
Revises: 0006

The one-live-lease unique index becomes one live lease per slot; every existing lease holds slot 0
and every project keeps the cap of 1 it had.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEASED = sa.text("status = 'leased'")


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("max_live_leases", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lease_slot", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
    op.drop_index(
        "uq_assignments_live_lease", table_name="assignments", sqlite_where=LEASED, postgresql_where=LEASED
    )
    op.create_index(
        "uq_assignments_live_lease_slot",
        "assignments",
        ["queue_id", "contributor_id", "lease_slot"],
        unique=True,
        sqlite_where=LEASED,
        postgresql_where=LEASED,
    )


def downgrade() -> None:
    op.drop_index(
        "uq_assignments_live_lease_slot",
        table_name="assignments",
        sqlite_where=LEASED,
        postgresql_where=LEASED,
    )
    # Back to one live lease each: a contributor's leases beyond slot 0 end as released.
    op.execute(
        "UPDATE tasks SET assigned_count = assigned_count - (SELECT count(*) FROM assignments a"
        " WHERE a.task_id = tasks.id AND a.status = 'leased' AND a.lease_slot > 0)"
        " WHERE id IN (SELECT task_id FROM assignments WHERE status = 'leased' AND lease_slot > 0)"
    )
    op.execute("UPDATE assignments SET status = 'released' WHERE status = 'leased' AND lease_slot > 0")
    op.create_index(
        "uq_assignments_live_lease",
        "assignments",
        ["queue_id", "contributor_id"],
        unique=True,
        sqlite_where=LEASED,
        postgresql_where=LEASED,
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("lease_slot")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("max_live_leases")
