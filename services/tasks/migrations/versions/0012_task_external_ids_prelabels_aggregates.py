"""tasks keep an import's external id and pre-labels; task_aggregates stores the chosen consensus label

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable columns: added in place on both databases, no rebuild of the tasks table.
    op.add_column("tasks", sa.Column("external_id", sa.String(length=200), nullable=True))
    op.add_column("tasks", sa.Column("prelabels", sa.JSON(), nullable=True))
    # Results and exports walk a project's tasks in id order, a page at a time.
    op.create_index("ix_tasks_project_id", "tasks", ["project_id", "id"])
    op.create_table(
        "task_aggregates",
        sa.Column("task_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("label", sa.JSON(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("aggregated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("task_id"),
    )
    op.create_index("ix_task_aggregates_project", "task_aggregates", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_task_aggregates_project", table_name="task_aggregates")
    op.drop_table("task_aggregates")
    op.drop_index("ix_tasks_project_id", table_name="tasks")
    op.drop_column("tasks", "prelabels")
    op.drop_column("tasks", "external_id")
