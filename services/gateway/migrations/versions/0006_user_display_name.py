"""users have a display name: tickets name their assignee and escalation lead by it

Revision ID: 0006
Revises: 0005

Existing users are named by their email's name part until an admin changes it (erased users keep a
placeholder that names no one).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String),
                 sa.column("display_name", sa.String))  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
    bind = op.get_bind()
    for user_id, email in bind.execute(sa.select(users.c.id, users.c.email)).all():
        name = f"Erased user {user_id}" if email.endswith("@erased.invalid") else email.split("@", 1)[0][:200]
        bind.execute(sa.update(users).where(users.c.id == user_id).values(display_name=name or email[:200]))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "display_name", existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("display_name")
