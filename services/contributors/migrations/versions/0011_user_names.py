"""the newest display name of each gateway user the service names, kept current by `user.updated`

Revision ID: 0011
Revises: 0010

Tickets and follow-ups keep copies of their assignee's, lead's and owner's display names; a user's
rename now reaches them, in the order of the gateway's versions (and creation times: SQLite may give a
deleted user's id to a new user, who is newer whatever its version). Names copied before this revision stay
as they are until the user's next change. A rename finds a user's tickets by assignee (indexed since
0007) and by escalation lead (indexed here).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_names",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("user_created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tickets_escalated_to_id"), ["escalated_to_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_escalated_to_id"))
    op.drop_table("user_names")
