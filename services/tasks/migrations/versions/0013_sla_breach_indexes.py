"""SLA breaches counted per task: indexes to find tasks by due time and by import time, and the watermark
of breaches already counted into labelops_sla_breaches_total

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A task is due at its own due_at, else at import + the project's SLA: breaches in a window are found
    # by one range on each (services.tasks.repository.kpis), finished tasks included.
    op.create_index(
        "ix_tasks_project_due",
        "tasks",
        ["project_id", "due_at"],
        sqlite_where=sa.text("due_at IS NOT NULL"),
        postgresql_where=sa.text("due_at IS NOT NULL"),
    )
    op.create_index("ix_tasks_project_created", "tasks", ["project_id", "created_at"])
    op.create_table(
        "metric_watermarks",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("metric_watermarks")
    op.drop_index("ix_tasks_project_created", table_name="tasks")
    op.drop_index("ix_tasks_project_due", table_name="tasks")
