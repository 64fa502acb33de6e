"""projects tasks assignments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:05:50.561624
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contributor_quality",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("gold_total", sa.Integer(), nullable=False),
        sa.Column("gold_correct", sa.Integer(), nullable=False),
        sa.Column("drifted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "contributor_id"),
    )
    op.create_table(
        "daily_exposure",
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("contributor_id", "day", "severity"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "key", name="uq_idempotency_scope_key"),
    )
    op.create_table(
        "permission_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("permission_id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("permission_audit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permission_audit_permission_id"), ["permission_id"], unique=False
        )

    op.create_table(
        "project_counters",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("tasks_imported", sa.Integer(), nullable=False),
        sa.Column("tasks_completed", sa.Integer(), nullable=False),
        sa.Column("submissions", sa.Integer(), nullable=False),
        sa.Column("handling_seconds", sa.Integer(), nullable=False),
        sa.Column("gold_total", sa.Integer(), nullable=False),
        sa.Column("gold_correct", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "shard"),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("task_type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("label_schema", sa.JSON(), nullable=False),
        sa.Column("overlap", sa.Integer(), nullable=False),
        sa.Column("gold_ratio", sa.Float(), nullable=False),
        sa.Column("review_ratio", sa.Float(), nullable=False),
        sa.Column("content_severity", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("required_languages", sa.JSON(), nullable=False),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("required_qualification", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("required_qualification_score", sa.Float(), nullable=True),
        sa.Column("allowed_vendors", sa.JSON(), nullable=False),
        sa.Column("crowd_allowed", sa.Boolean(), nullable=False),
        sa.Column("lease_seconds", sa.Integer(), nullable=False),
        sa.Column("sla_turnaround_hours", sa.Float(), nullable=True),
        sa.Column("min_quality", sa.Float(), nullable=True),
        sa.Column("auto_revoke_on_drift", sa.Boolean(), nullable=False),
        sa.Column("starts_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deadline", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_status"), ["status"], unique=False)

    op.create_table(
        "vendor_suspensions",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "vendor_id"),
    )
    op.create_table(
        "queues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "kind", name="uq_queues_project_kind"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("due_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("gold_answer", sa.JSON(), nullable=True),
        sa.Column("is_gold", sa.Boolean(), nullable=False),
        sa.Column("overlap", sa.Integer(), nullable=False),
        sa.Column("assigned_count", sa.Integer(), nullable=False),
        sa.Column("completed_count", sa.Integer(), nullable=False),
        sa.Column("final_answer", sa.JSON(), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "assigned_count >= 0 AND assigned_count <= overlap", name="ck_tasks_within_overlap"
        ),
        sa.CheckConstraint(
            "completed_count >= 0 AND completed_count <= assigned_count", name="ck_tasks_completed"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_claimable",
            ["project_id", "is_gold", "rank", "due_at", "id"],
            unique=False,
            sqlite_where=sa.text("assigned_count < overlap"),
            postgresql_where=sa.text("assigned_count < overlap"),
        )
        batch_op.create_index(
            "ix_tasks_unfinished",
            ["project_id", "created_at"],
            unique=False,
            sqlite_where=sa.text("completed_count < overlap"),
            postgresql_where=sa.text("completed_count < overlap"),
        )

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("leased_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_expires_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "contributor_id", name="uq_assignments_task_contributor"),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignments_leases_by_expiry",
            ["queue_id", "lease_expires_at"],
            unique=False,
            sqlite_where=sa.text("status = 'leased'"),
            postgresql_where=sa.text("status = 'leased'"),
        )
        batch_op.create_index(
            "uq_assignments_live_lease",
            ["queue_id", "contributor_id"],
            unique=True,
            sqlite_where=sa.text("status = 'leased'"),
            postgresql_where=sa.text("status = 'leased'"),
        )

    op.create_table(
        "queue_permissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=True),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("crowd", sa.Boolean(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("expires_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN contributor_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN vendor_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN crowd THEN 1 ELSE 0 END) = 1",
            name="ck_queue_permissions_one_grantee",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("queue_permissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_queue_permissions_expiring",
            ["expires_at"],
            unique=False,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
        batch_op.create_index(
            "ix_queue_permissions_queue_contributor", ["queue_id", "contributor_id"], unique=False
        )
        batch_op.create_index("ix_queue_permissions_queue_vendor", ["queue_id", "vendor_id"], unique=False)

    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("time_spent_seconds", sa.Integer(), nullable=False),
        sa.Column("is_gold", sa.Boolean(), nullable=False),
        sa.Column("gold_correct", sa.Boolean(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("review_state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("review_lease_expires_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assignment_id"),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submissions_contributor_created", ["contributor_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_submissions_project_created", ["project_id", "created_at"], unique=False)
        batch_op.create_index(
            "ix_submissions_review_pending",
            ["project_id", "id"],
            unique=False,
            sqlite_where=sa.text("review_state IN ('pending', 'leased')"),
            postgresql_where=sa.text("review_state IN ('pending', 'leased')"),
        )
        batch_op.create_index("ix_submissions_task", ["task_id"], unique=False)
        batch_op.create_index("ix_submissions_vendor_decided", ["vendor_id", "decided_at"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("requeued", sa.Boolean(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_submission_id"), ["submission_id"], unique=False)

    with op.batch_alter_table("contributor_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("qualifications", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(
            sa.Column(
                "daily_caps_minutes",
                sa.JSON(),
                server_default='{"low": 480, "medium": 240, "high": 120}',
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("opted_out_harmful", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False))
        batch_op.add_column(
            sa.Column("erased", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("contributor_profiles", schema=None) as batch_op:
        batch_op.drop_column("erased")
        batch_op.drop_column("timezone")
        batch_op.drop_column("opted_out_harmful")
        batch_op.drop_column("daily_caps_minutes")
        batch_op.drop_column("qualifications")

    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_submission_id"))

    op.drop_table("reviews")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_vendor_decided")
        batch_op.drop_index("ix_submissions_task")
        batch_op.drop_index(
            "ix_submissions_review_pending",
            sqlite_where=sa.text("review_state IN ('pending', 'leased')"),
            postgresql_where=sa.text("review_state IN ('pending', 'leased')"),
        )
        batch_op.drop_index("ix_submissions_project_created")
        batch_op.drop_index("ix_submissions_contributor_created")

    op.drop_table("submissions")
    with op.batch_alter_table("queue_permissions", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_permissions_queue_vendor")
        batch_op.drop_index("ix_queue_permissions_queue_contributor")
        batch_op.drop_index(
            "ix_queue_permissions_expiring",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.drop_table("queue_permissions")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_assignments_live_lease",
            sqlite_where=sa.text("status = 'leased'"),
            postgresql_where=sa.text("status = 'leased'"),
        )
        batch_op.drop_index(
            "ix_assignments_leases_by_expiry",
            sqlite_where=sa.text("status = 'leased'"),
            postgresql_where=sa.text("status = 'leased'"),
        )

    op.drop_table("assignments")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_tasks_unfinished",
            sqlite_where=sa.text("completed_count < overlap"),
            postgresql_where=sa.text("completed_count < overlap"),
        )
        batch_op.drop_index(
            "ix_tasks_claimable",
            sqlite_where=sa.text("assigned_count < overlap"),
            postgresql_where=sa.text("assigned_count < overlap"),
        )

    op.drop_table("tasks")
    op.drop_table("queues")
    op.drop_table("vendor_suspensions")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_status"))

    op.drop_table("projects")
    op.drop_table("project_counters")
    with op.batch_alter_table("permission_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permission_audit_permission_id"))

    op.drop_table("permission_audit")
    op.drop_table("idempotency_keys")
    op.drop_table("daily_exposure")
    op.drop_table("contributor_quality")
