"""quality rules, firings and watermarks, queue bans, guidelines, batches; project daily quota and version

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:29:24.486924
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quality_rule_firings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("contributor_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quality_rule_firings", schema=None) as batch_op:
        batch_op.create_index("ix_quality_rule_firings_project", ["project_id", "id"], unique=False)
        batch_op.create_index(
            "ix_quality_rule_firings_rule_contributor", ["rule_id", "contributor_id", "at"], unique=False
        )

    op.create_table(
        "quality_watermarks",
        sa.Column("project_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("evaluated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("project_id"),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("task_count", sa.Integer(), nullable=False),
        sa.Column("gold_count", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batches_project_id"), ["project_id"], unique=False)

    op.create_table(
        "guidelines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "version", name="uq_guidelines_project_version"),
    )
    op.create_table(
        "quality_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("window_size", sa.Integer(), nullable=False),
        sa.Column("min_count", sa.Integer(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("ban_hours", sa.Float(), nullable=True),
        sa.Column("max_overlap", sa.Integer(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quality_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quality_rules_project_id"), ["project_id"], unique=False)

    op.create_table(
        "queue_bans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("until", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("queue_bans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_queue_bans_queue_contributor", ["queue_id", "contributor_id", "until"], unique=False
        )

    with op.batch_alter_table("permission_audit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contributor_id", sa.Integer(), nullable=True))
        batch_op.alter_column("permission_id", existing_type=sa.INTEGER(), nullable=True)

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("daily_quota", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("batch_id")

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("daily_quota")

    with op.batch_alter_table("permission_audit", schema=None) as batch_op:
        batch_op.alter_column("permission_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("contributor_id")

    with op.batch_alter_table("queue_bans", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_bans_queue_contributor")

    op.drop_table("queue_bans")
    with op.batch_alter_table("quality_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_rules_project_id"))

    op.drop_table("quality_rules")
    op.drop_table("guidelines")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batches_project_id"))

    op.drop_table("batches")
    op.drop_table("quality_watermarks")
    with op.batch_alter_table("quality_rule_firings", schema=None) as batch_op:
        batch_op.drop_index("ix_quality_rule_firings_rule_contributor")
        batch_op.drop_index("ix_quality_rule_firings_project")

    op.drop_table("quality_rule_firings")
