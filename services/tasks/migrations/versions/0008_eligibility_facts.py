"""eligibility as rows: contributor_facts, project_requirements, and the local-day SQL functions

Revision ID: 0008
Revises: 0007

The lease preconditions (services/tasks/assignment/preconditions.py) are SQL predicates: a contributor's
languages, skills, qualifications, vetting and caps become `contributor_facts` rows, a project's required
languages and skills `project_requirements` rows, both filled here from the JSON already stored. On
PostgreSQL the functions `local_day` and `local_day_start` give a time zone's calendar day (SQLite gets
the same two from shared.localtime on every connection); a zone PostgreSQL does not know counts as UTC.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.tasks.rules.eligibility import facts_of, language_code
from shared.db import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_FUNCTIONS = (
    """
CREATE FUNCTION local_day_start(zone text, at timestamptz) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN date_trunc('day', at AT TIME ZONE zone) AT TIME ZONE zone;
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN date_trunc('day', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
END $$
""",
    """
CREATE FUNCTION local_day(zone text, at timestamptz) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN to_char(at AT TIME ZONE zone, 'YYYY-MM-DD');
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD');
END $$
""",
)

profiles = sa.table(
    "contributor_profiles",
    sa.column("contributor_id", sa.Integer),
    sa.column("languages", sa.JSON),
    sa.column("skills", sa.JSON),
    sa.column("qualifications", sa.JSON),
    sa.column("daily_caps_minutes", sa.JSON),
    sa.column("vetting", sa.JSON),
)
projects = sa.table(
    "projects",
    sa.column("id", sa.Integer),
    sa.column("required_languages", sa.JSON),
    sa.column("required_skills", sa.JSON),
)


def upgrade() -> None:
    facts = op.create_table(
        "contributor_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contributor_facts_lookup", "contributor_facts", ["contributor_id", "kind", "value"])
    requirements = op.create_table(
        "project_requirements",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.PrimaryKeyConstraint("project_id", "kind", "value"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for function in PG_FUNCTIONS:
            op.execute(function)
    rows = []
    for p in bind.execute(sa.select(profiles)).mappings():
        for fact in facts_of(
            languages=p["languages"] or [],
            skills=p["skills"] or [],
            qualifications=p["qualifications"] or [],
            daily_caps_minutes=p["daily_caps_minutes"] or {},
            vetting=p["vetting"],
        ):
            rows.append({"contributor_id": p["contributor_id"], **vars(fact)})
    if rows:
        op.bulk_insert(facts, rows)
    wanted = set()
    for p in bind.execute(sa.select(projects)).mappings():
        wanted |= {(p["id"], "language", language_code(code)) for code in p["required_languages"] or []}
        wanted |= {(p["id"], "skill", str(skill)) for skill in p["required_skills"] or []}
    if wanted:
        op.bulk_insert(
            requirements, [{"project_id": i, "kind": kind, "value": value} for i, kind, value in wanted]
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION local_day(text, timestamptz); DROP FUNCTION local_day_start(text, timestamptz)"
        )
    op.drop_table("project_requirements")
    op.drop_index("ix_contributor_facts_lookup", table_name="contributor_facts")
    op.drop_table("contributor_facts")
