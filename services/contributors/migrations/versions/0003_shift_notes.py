"""shift notes for the next shift, addressed to a team, with owned follow-ups

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:32:38.717788
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shift_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shift_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_notes_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_shift_notes_team_created", ["team", "created_at"], unique=False)

    op.create_table(
        "shift_note_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("due_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["shift_notes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shift_note_follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_note_follow_ups_note_id"), ["note_id"], unique=False)
        batch_op.create_index("ix_shift_note_follow_ups_pending", ["done_at", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shift_note_follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_shift_note_follow_ups_pending")
        batch_op.drop_index(batch_op.f("ix_shift_note_follow_ups_note_id"))

    op.drop_table("shift_note_follow_ups")
    with op.batch_alter_table("shift_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_shift_notes_team_created")
        batch_op.drop_index(batch_op.f("ix_shift_notes_created_at"))

    op.drop_table("shift_notes")
