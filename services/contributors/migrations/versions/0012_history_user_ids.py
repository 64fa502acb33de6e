"""history rows that name a gateway user carry the user's id, so the name follows renames

Revision ID: 0012
Revises: 0011

A ticket event's assignee or escalation lead and a follow-up change's owner were kept as names only: a
renamed or pseudonymised user stayed in the history under the old name. Rows written from here on carry
the user's id (from_user_id, to_user_id, indexed: a rename finds them without a scan) and are renamed with
the user. Rows written before keep their text: a name alone does not say which user it was.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("ticket_events", "shift_note_follow_up_changes")
COLUMNS = ("from_user_id", "to_user_id")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
                batch_op.drop_column(column)
