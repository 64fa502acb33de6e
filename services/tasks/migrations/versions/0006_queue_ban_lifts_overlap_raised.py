"""queue bans can be lifted and name their firing; project counters count raised overlap

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 16:10:00.000000

Existing bans get the firing that imposed them (its evidence names the ban); the units a raise_overlap
rule already added to tasks are counted once, into each project's shard 0.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("queue_bans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("firing_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lifted_at", shared.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("lifted_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )

    with op.batch_alter_table("project_counters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overlap_raised", sa.Integer(), server_default="0", nullable=False))

    bind = op.get_bind()
    firings = bind.execute(
        sa.text("SELECT id, evidence FROM quality_rule_firings WHERE action = 'suspend'")
    ).all()
    for firing_id, evidence in firings:
        evidence = json.loads(evidence) if isinstance(evidence, str) else evidence
        if isinstance(evidence, dict) and isinstance(evidence.get("ban_id"), int):
            bind.execute(
                sa.text("UPDATE queue_bans SET firing_id = :f WHERE id = :b AND firing_id IS NULL"),
                {"f": firing_id, "b": evidence["ban_id"]},
            )
    # Tasks are imported at their project's overlap, which never changes, so anything above it was raised.
    bind.execute(
        sa.text(
            """
            UPDATE project_counters SET overlap_raised = (
              SELECT COALESCE(SUM(t.overlap - p.overlap), 0) FROM tasks t JOIN projects p ON p.id = t.project_id
              WHERE t.project_id = project_counters.project_id AND t.overlap > p.overlap
            )
            WHERE shard = 0
            """
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("project_counters", schema=None) as batch_op:
        batch_op.drop_column("overlap_raised")

    with op.batch_alter_table("queue_bans", schema=None) as batch_op:
        batch_op.drop_column("lifted_by")
        batch_op.drop_column("lifted_at")
        batch_op.drop_column("firing_id")
