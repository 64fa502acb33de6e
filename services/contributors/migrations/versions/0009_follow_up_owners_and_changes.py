"""shift-note follow-ups are owned by gateway users and edited with a record of who changed what

Revision ID: 0009
Revises: 0008

A follow-up's owner is named by gateway user id (the `owner` column keeps the display name). Owners
written before this revision were free text naming no user: they stay as they were, with no id. Every
change to a follow-up (added to a note, text, owner, due time, done, reopened) is a row of
`shift_note_follow_up_changes`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shift_note_follow_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_shift_note_follow_ups_owner_id"), ["owner_id"], unique=False)
    op.create_table(
        "shift_note_follow_up_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("from_value", sa.Text(), nullable=True),
        sa.Column("to_value", sa.Text(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["follow_up_id"], ["shift_note_follow_ups.id"]),
        sa.ForeignKeyConstraint(["note_id"], ["shift_notes.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_shift_note_follow_up_changes_follow_up_id"),
        "shift_note_follow_up_changes",
        ["follow_up_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_shift_note_follow_up_changes_note_id"),
        "shift_note_follow_up_changes",
        ["note_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_shift_note_follow_up_changes_note_id"), table_name="shift_note_follow_up_changes")
    op.drop_index(
        op.f("ix_shift_note_follow_up_changes_follow_up_id"), table_name="shift_note_follow_up_changes"
    )
    op.drop_table("shift_note_follow_up_changes")
    with op.batch_alter_table("shift_note_follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_note_follow_ups_owner_id"))
        batch_op.drop_column("owner_id")
