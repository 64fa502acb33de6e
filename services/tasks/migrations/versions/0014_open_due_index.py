"""SLA breaches without an index on every task: 0013's (project_id, created_at) and (project_id, due_at)
indexes took an entry on every lease and submit (a task update is never HOT: assigned_count and
completed_count are in partial index predicates); open tasks are found by ix_tasks_unfinished and by this
partial index of open tasks with their own due time, finished late ones through their finishing answer

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN_WITH_DUE = "due_at IS NOT NULL AND completed_count < overlap"


def upgrade() -> None:
    op.drop_index("ix_tasks_project_created", table_name="tasks")
    op.drop_index("ix_tasks_project_due", table_name="tasks")
    op.create_index(
        "ix_tasks_open_due",
        "tasks",
        ["project_id", "due_at"],
        sqlite_where=sa.text(_OPEN_WITH_DUE),
        postgresql_where=sa.text(_OPEN_WITH_DUE),
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_open_due", table_name="tasks")
    op.create_index("ix_tasks_project_created", "tasks", ["project_id", "created_at"])
    op.create_index(
        "ix_tasks_project_due",
        "tasks",
        ["project_id", "due_at"],
        sqlite_where=sa.text("due_at IS NOT NULL"),
        postgresql_where=sa.text("due_at IS NOT NULL"),
    )
