"""Tables of the tasks service (its own metadata: see shared.db.make_base).

The assignment invariants live here as constraints, not only in Python: a task's live + submitted
assignments never exceed its overlap (CHECK on the counter the claim bumps conditionally), a contributor
never holds the same task twice (UNIQUE), and a contributor holds at most one live lease per queue
(partial UNIQUE index).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field

from services.tasks.rules.eligibility import DEFAULT_DAILY_CAPS
from shared.db import UTCDateTime, make_base, utcnow
from shared.events import define_event_tables
from shared.idempotency import define_idempotency_table

Base = make_base()


class ContributorProfile(Base, table=True):
    """Local read-model of a contributor's eligibility facts, kept current by contributor events."""

    __tablename__ = "contributor_profiles"

    contributor_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    version: int
    status: str = Field(max_length=20)
    vendor_id: int | None = Field(default=None, index=True)
    languages: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    qualifications: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    daily_caps_minutes: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_DAILY_CAPS),
        sa_column=Column(JSON, nullable=False, server_default='{"low": 480, "medium": 240, "high": 120}'),
    )
    opted_out_harmful: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    timezone: str = Field(default="UTC", sa_column=Column(String(64), nullable=False, server_default="UTC"))
    erased: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    # {"expires_at": ISO time or null} while vetted for harmful content; null when never vetted or revoked.
    # The expiry is kept, not a flag, so a lapsed vetting stops counting without another event.
    vetting: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContributorFact(Base, table=True):
    """One eligibility fact of a contributor as a row the lease statement can join (kind: language,
    skill, qualification with its score, vetting, daily_cap_minutes per severity in `amount`); derived
    from the profile by rules/eligibility.py `facts_of`. Lapsed or unreadable expiries are not kept."""

    __tablename__ = "contributor_facts"
    __table_args__ = (Index("ix_contributor_facts_lookup", "contributor_id", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    contributor_id: int
    kind: str = Field(max_length=20)
    value: str = Field(max_length=100)
    amount: float | None = None
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class VendorStatus(Base, table=True):
    """Local read-model of each vendor's status, kept current by `vendor.status_changed`; a vendor never
    heard of counts as active."""

    __tablename__ = "vendor_statuses"

    vendor_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    status: str = Field(max_length=20)
    changed_at: datetime = Field(sa_type=UTCDateTime)


class BudgetCap(Base, table=True):
    """A hard-cap budget of one vendor on one project, as units: what the vendors service computed the
    cap buys at the contracted price (`budget.cap_changed`). No row, or no max_units: no cap."""

    __tablename__ = "budget_caps"
    __table_args__ = (Index("ix_budget_caps_project_vendor", "project_id", "vendor_id"),)

    budget_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    project_id: int
    vendor_id: int
    max_units: int | None = None
    period_start: datetime = Field(sa_type=UTCDateTime)
    period_end: datetime = Field(sa_type=UTCDateTime)
    changed_at: datetime = Field(sa_type=UTCDateTime)


class ProjectRequirement(Base, table=True):
    """A language or skill the project requires, or the language of a locale it accepts (kind `locale`),
    one row each (the project's lists, joinable)."""

    __tablename__ = "project_requirements"
    __table_args__ = (PrimaryKeyConstraint("project_id", "kind", "value"),)

    project_id: int = Field(sa_column=Column(Integer, ForeignKey("projects.id"), nullable=False))
    kind: str = Field(max_length=20)
    value: str = Field(max_length=100)


class Project(Base, table=True):
    __tablename__ = "projects"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    task_type: str = Field(max_length=50)
    label_schema: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    overlap: int
    gold_ratio: float
    review_ratio: float
    content_severity: str = Field(max_length=10)
    required_languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The locales its tasks may carry: each task goes to contributors speaking its language.
    locales: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # Languages (required ones and the tasks') count where spoken at this proficiency or better.
    min_language_proficiency: str = Field(
        default="basic", sa_column=Column(String(10), nullable=False, server_default="basic")
    )
    # Planning assumptions of the manpower forecast, until answers measure the handling time.
    planned_handling_seconds: float | None = None
    planned_hours_per_day: float | None = None
    required_skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    required_qualification: str | None = Field(default=None, max_length=100)
    required_qualification_score: float | None = None
    allowed_vendors: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    crowd_allowed: bool = True
    lease_seconds: int
    # Live leases a contributor may hold on the project's labeling queue (a slot each, see Assignment).
    max_live_leases: int = Field(
        default=1, sa_column=Column(Integer, nullable=False, server_default=text("1"))
    )
    sla_turnaround_hours: float | None = None
    min_quality: float | None = None
    auto_revoke_on_drift: bool = False
    daily_quota: int | None = None  # answers per contributor per day; enforced by assignment
    # Only vendor staff with an unexpired vetting may work it (high-severity projects only).
    vetted_staff_only: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default="draft", max_length=20, index=True)
    # Bumped by every change; the ETag is built from it (If-Match on updates).
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Queue(Base, table=True):
    __tablename__ = "queues"
    __table_args__ = (UniqueConstraint("project_id", "kind", name="uq_queues_project_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=Column(Integer, ForeignKey("projects.id"), nullable=False))
    kind: str = Field(max_length=20)


class QueuePermission(Base, table=True):
    """A role on a queue for one contributor, a whole vendor, or the crowd (contributors of no vendor)."""

    __tablename__ = "queue_permissions"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN contributor_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN vendor_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN crowd THEN 1 ELSE 0 END) = 1",
            name="ck_queue_permissions_one_grantee",
        ),
        Index("ix_queue_permissions_queue_contributor", "queue_id", "contributor_id"),
        Index("ix_queue_permissions_queue_vendor", "queue_id", "vendor_id"),
        Index(
            "ix_queue_permissions_expiring",
            "expires_at",
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    queue_id: int = Field(sa_column=Column(Integer, ForeignKey("queues.id"), nullable=False))
    project_id: int
    contributor_id: int | None = None
    vendor_id: int | None = None
    crowd: bool = False
    role: str = Field(max_length=20)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    source: str = Field(default="manual", max_length=20)
    suspended: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PermissionAudit(Base, table=True):
    """Every grant, revoke, expiry, suspension and restore of a queue permission, and every queue ban.

    A ban names a contributor rather than a permission (the contributor may work through a crowd or
    vendor grant), so its rows carry contributor_id and no permission_id.
    """

    __tablename__ = "permission_audit"

    id: int | None = Field(default=None, primary_key=True)
    permission_id: int | None = Field(default=None, index=True)
    # The grantee (one of contributor, vendor, crowd), its role and expiry, as the permission had them.
    contributor_id: int | None = None
    vendor_id: int | None = None
    crowd: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    role: str | None = Field(default=None, max_length=20)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    queue_id: int
    action: str = Field(max_length=20)
    actor: str = Field(max_length=100)
    reason: str | None = Field(default=None, max_length=500)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VendorSuspension(Base, table=True):
    __tablename__ = "vendor_suspensions"
    __table_args__ = (PrimaryKeyConstraint("project_id", "vendor_id"),)

    project_id: int
    vendor_id: int
    reason: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Task(Base, table=True):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("assigned_count >= 0 AND assigned_count <= overlap", name="ck_tasks_within_overlap"),
        CheckConstraint(
            "completed_count >= 0 AND completed_count <= assigned_count", name="ck_tasks_completed"
        ),
        # The claim scans this in order per language the caller may take: priority (stored negated), due
        # date, age; only open capacity.
        Index(
            "ix_tasks_claimable",
            "project_id",
            "is_gold",
            "language",
            "rank",
            "due_at",
            "id",
            sqlite_where=text("assigned_count < overlap"),
            postgresql_where=text("assigned_count < overlap"),
        ),
        Index(
            "ix_tasks_unfinished",
            "project_id",
            "created_at",
            sqlite_where=text("completed_count < overlap"),
            postgresql_where=text("completed_count < overlap"),
        ),
        # Results and exports walk a project's tasks in id order (keyset pages).
        Index("ix_tasks_project_id", "project_id", "id"),
        # Open tasks past (or near) their own due time, for SLA breaches and at-risk counts; tasks due by
        # import + the project's SLA are found by ix_tasks_unfinished. Partial: only tasks with a due_at
        # pay for it on lease and submit.
        Index(
            "ix_tasks_open_due",
            "project_id",
            "due_at",
            sqlite_where=text("due_at IS NOT NULL AND completed_count < overlap"),
            postgresql_where=text("due_at IS NOT NULL AND completed_count < overlap"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=Column(Integer, ForeignKey("projects.id"), nullable=False))
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    priority: int = 0
    rank: int = 0  # -priority, so one ascending index serves "highest priority first"
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    gold_answer: Any | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    is_gold: bool = False
    overlap: int
    assigned_count: int = 0
    completed_count: int = 0
    final_answer: Any | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The import that brought the task. No foreign key: adding one to tasks rebuilds the table on SQLite.
    batch_id: int | None = None
    # The id the task had where it came from (a Label Studio task id), given back in every export.
    external_id: str | None = Field(default=None, max_length=200)
    # Labels that came with the import ([{"source", "answer", "model_version", "score"}]): shown, never counted.
    prelabels: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # One of the project's locales (a BCP 47 tag), or null where the project accepts none; `language` is
    # its language ('' without a locale), what the claim compares with the languages the caller speaks.
    locale: str | None = Field(default=None, max_length=64)
    language: str = Field(default="", sa_column=Column(String(8), nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Assignment(Base, table=True):
    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("task_id", "contributor_id", name="uq_assignments_task_contributor"),
        # "Tasks this contributor already had": the claim's anti-join reads only the caller's rows.
        Index("ix_assignments_contributor_task", "contributor_id", "task_id"),
        # A live lease holds one of its contributor's slots on the queue, numbered below the project's
        # max_live_leases when taken: the cap holds in the database under any concurrency.
        Index(
            "uq_assignments_live_lease_slot",
            "queue_id",
            "contributor_id",
            "lease_slot",
            unique=True,
            sqlite_where=text("status = 'leased'"),
            postgresql_where=text("status = 'leased'"),
        ),
        Index(
            "ix_assignments_leases_by_expiry",
            "queue_id",
            "lease_expires_at",
            sqlite_where=text("status = 'leased'"),
            postgresql_where=text("status = 'leased'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    queue_id: int
    project_id: int
    task_id: int = Field(sa_column=Column(Integer, ForeignKey("tasks.id"), nullable=False))
    contributor_id: int
    vendor_id: int | None = None
    status: str = Field(max_length=20)
    lease_slot: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    leased_at: datetime = Field(sa_type=UTCDateTime)
    lease_expires_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Submission(Base, table=True):
    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_project_created", "project_id", "created_at"),
        Index("ix_submissions_vendor_decided", "vendor_id", "decided_at"),
        Index("ix_submissions_contributor_created", "contributor_id", "created_at"),
        Index("ix_submissions_task", "task_id"),
        Index(
            "ix_submissions_review_pending",
            "project_id",
            "id",
            sqlite_where=text("review_state IN ('pending', 'leased')"),
            postgresql_where=text("review_state IN ('pending', 'leased')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("assignments.id"), unique=True, nullable=False)
    )
    task_id: int
    project_id: int
    contributor_id: int
    vendor_id: int | None = None
    answer: Any = Field(sa_column=Column(JSON, nullable=False))
    time_spent_seconds: int
    is_gold: bool = False
    gold_correct: bool | None = None
    on_time: bool | None = None  # answered within the task's due time / the project's SLA (None: no SLA)
    outcome: str = Field(max_length=20)  # accepted | pending_review | rejected
    review_state: str = Field(default="none", max_length=20)  # none | pending | leased | done
    reviewer_id: int | None = None
    review_lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TaskAggregate(Base, table=True):
    """The consensus label the last aggregation chose for a task, with its method and confidence (the
    winning share of votes for majority, the posterior for Dawid-Skene); exports read it as the final
    label unless a reviewer corrected the task."""

    __tablename__ = "task_aggregates"
    __table_args__ = (Index("ix_task_aggregates_project", "project_id"),)

    task_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    project_id: int
    method: str = Field(max_length=20)
    label: Any | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    confidence: float | None = None
    votes: int  # answers it was computed from
    aggregated_at: datetime = Field(sa_type=UTCDateTime)


class Review(Base, table=True):
    __tablename__ = "reviews"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(
        sa_column=Column(Integer, ForeignKey("submissions.id"), nullable=False, index=True)
    )
    reviewer_id: int
    verdict: str = Field(max_length=10)
    answer: Any | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    comment: str | None = Field(default=None, max_length=2000)
    requeued: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MetricWatermark(Base, table=True):
    """How much of a figure held in the database a counter metric has already counted (any process): a
    scrape adds only what it moves the watermark by, so the sum over workers and restarts counts each
    event once."""

    __tablename__ = "metric_watermarks"

    name: str = Field(primary_key=True, max_length=60)
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))


# Rows per project in project_counters; a writer adds to the shard of its contributor id.
COUNTER_SHARDS = 8


class ProjectCounter(Base, table=True):
    """Running totals per project, sharded by contributor so concurrent submits rarely share a row."""

    __tablename__ = "project_counters"
    __table_args__ = (PrimaryKeyConstraint("project_id", "shard"),)

    project_id: int
    shard: int
    tasks_imported: int = 0
    tasks_completed: int = 0
    submissions: int = 0
    handling_seconds: int = 0
    gold_total: int = 0
    gold_correct: int = 0
    accepted: int = 0
    rejected: int = 0
    on_time: int = 0
    late: int = 0
    # Answers added to tasks beyond the project's overlap by the raise_overlap quality rule, so the
    # units to produce stay tasks_imported × overlap + this, without reading the tasks.
    overlap_raised: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


class ContributorQuality(Base, table=True):
    """Gold accuracy of one contributor on one project."""

    __tablename__ = "contributor_quality"
    __table_args__ = (PrimaryKeyConstraint("project_id", "contributor_id"),)

    project_id: int
    contributor_id: int
    gold_total: int = 0
    gold_correct: int = 0
    drifted: bool = False


class DailyExposure(Base, table=True):
    """Seconds of work per contributor, local day and content severity (wellness caps read it)."""

    __tablename__ = "daily_exposure"
    __table_args__ = (PrimaryKeyConstraint("contributor_id", "day", "severity"),)

    contributor_id: int
    day: str = Field(max_length=10)
    severity: str = Field(max_length=10)
    seconds: int = 0


class Batch(Base, table=True):
    """One import of tasks into a project; its counts are written once, when the import lands."""

    __tablename__ = "batches"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=Column(Integer, ForeignKey("projects.id"), nullable=False, index=True))
    name: str | None = Field(default=None, max_length=200)
    task_count: int = 0
    gold_count: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Guideline(Base, table=True):
    """One version of a project's guidelines (markdown); a new text is a new version, never an edit."""

    __tablename__ = "guidelines"
    __table_args__ = (UniqueConstraint("project_id", "version", name="uq_guidelines_project_version"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=Column(Integer, ForeignKey("projects.id"), nullable=False))
    version: int
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QualityRule(Base, table=True):
    """'When metric, then action' for a project; deleting one keeps the row so its firings stay readable."""

    __tablename__ = "quality_rules"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=Column(Integer, ForeignKey("projects.id"), nullable=False, index=True))
    metric: str = Field(max_length=30)
    action: str = Field(max_length=30)
    threshold: float
    window_size: int
    min_count: int | None = None
    seconds: float | None = None
    ban_hours: float | None = None
    max_overlap: int | None = None
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class QualityRuleFiring(Base, table=True):
    """One firing of a rule (or of the drift auto-revoke, rule_id NULL) with the evidence it saw."""

    __tablename__ = "quality_rule_firings"
    __table_args__ = (
        Index("ix_quality_rule_firings_project", "project_id", "id"),
        Index("ix_quality_rule_firings_rule_contributor", "rule_id", "contributor_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int
    rule_id: int | None = None
    contributor_id: int | None = None
    task_id: int | None = None
    metric: str = Field(max_length=30)
    value: float
    threshold: float
    action: str = Field(max_length=30)
    evidence: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QualityWatermark(Base, table=True):
    """How far the quality evaluator has read a project's submissions and assignments (by id)."""

    __tablename__ = "quality_watermarks"

    project_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    submission_id: int = 0
    assignment_id: int = 0
    evaluated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QueueBan(Base, table=True):
    """A contributor kept off a queue until `until` (NULL: until lifted), whatever grant they hold.

    Lifting keeps the row (lifted_at, lifted_by) so a queue's ban history stays readable.
    """

    __tablename__ = "queue_bans"
    __table_args__ = (Index("ix_queue_bans_queue_contributor", "queue_id", "contributor_id", "until"),)

    id: int | None = Field(default=None, primary_key=True)
    queue_id: int = Field(sa_column=Column(Integer, ForeignKey("queues.id"), nullable=False))
    project_id: int
    contributor_id: int
    until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rule_id: int | None = None
    # The firing that imposed the ban, with its evidence (NULL for bans older than the link).
    firing_id: int | None = None
    reason: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lifted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lifted_by: str | None = Field(default=None, max_length=100)


event_tables = define_event_tables(Base.metadata)
idempotency_keys = define_idempotency_table(Base.metadata)
