"""shift-note follow-ups carry a version, so an edit names the one it read (If-Match)

Revision ID: 0010
Revises: 0009

Two shift leads editing one follow-up no longer overwrite each other unseen: the second edit of the same
version is a 412. Follow-ups written before this revision start at version 1.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shift_note_follow_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("shift_note_follow_ups", schema=None) as batch_op:
        batch_op.drop_column("version")
