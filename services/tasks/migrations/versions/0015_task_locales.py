"""tasks carry a locale; projects accept locales, set a minimum language proficiency and state planning
assumptions; language facts keep their proficiency rank and compare by language (`de` of `de-CH`)

`tasks.language` is the locale's language ('' for a task of a project without locales): the claim walks
ix_tasks_claimable per language the caller may take, so the column joins the index after is_gold.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.tasks.rules.eligibility import language_code, spoken_languages

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

profiles = sa.table(
    "contributor_profiles", sa.column("contributor_id", sa.Integer), sa.column("languages", sa.JSON)
)
projects = sa.table("projects", sa.column("id", sa.Integer), sa.column("required_languages", sa.JSON))
facts = sa.table(
    "contributor_facts",
    sa.column("contributor_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
    sa.column("amount", sa.Float),
)
requirements = sa.table(
    "project_requirements",
    sa.column("project_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
)
_CLAIMABLE = "assigned_count < overlap"


def upgrade() -> None:
    # Columns with a constant default are added in place on both databases: no rebuild of tasks.
    op.add_column("tasks", sa.Column("locale", sa.String(length=64), nullable=True))
    op.add_column("tasks", sa.Column("language", sa.String(length=8), nullable=False, server_default=""))
    op.add_column("projects", sa.Column("locales", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column(
        "projects",
        sa.Column("min_language_proficiency", sa.String(length=10), nullable=False, server_default="basic"),
    )
    op.add_column("projects", sa.Column("planned_handling_seconds", sa.Float(), nullable=True))
    op.add_column("projects", sa.Column("planned_hours_per_day", sa.Float(), nullable=True))
    op.drop_index("ix_tasks_claimable", table_name="tasks")
    op.create_index(
        "ix_tasks_claimable",
        "tasks",
        ["project_id", "is_gold", "language", "rank", "due_at", "id"],
        sqlite_where=sa.text(_CLAIMABLE),
        postgresql_where=sa.text(_CLAIMABLE),
    )
    # Language facts and required languages as they compare now: by language, with a proficiency rank.
    bind = op.get_bind()
    bind.execute(facts.delete().where(facts.c.kind == "language"))
    rows = [
        {"contributor_id": p["contributor_id"], "kind": "language", "value": code, "amount": float(rank)}
        for p in bind.execute(sa.select(profiles)).mappings()
        for code, rank in spoken_languages(p["languages"] or []).items()
    ]
    if rows:
        bind.execute(facts.insert(), rows)
    bind.execute(requirements.delete().where(requirements.c.kind == "language"))
    wanted = {
        (p["id"], language_code(code))
        for p in bind.execute(sa.select(projects)).mappings()
        for code in p["required_languages"] or []
    }
    if wanted:
        bind.execute(
            requirements.insert(),
            [{"project_id": i, "kind": "language", "value": v} for i, v in sorted(wanted)],
        )


def downgrade() -> None:
    op.drop_index("ix_tasks_claimable", table_name="tasks")
    op.create_index(
        "ix_tasks_claimable",
        "tasks",
        ["project_id", "is_gold", "rank", "due_at", "id"],
        sqlite_where=sa.text(_CLAIMABLE),
        postgresql_where=sa.text(_CLAIMABLE),
    )
    op.execute("DELETE FROM project_requirements WHERE kind = 'locale'")
    for column in (
        "planned_hours_per_day",
        "planned_handling_seconds",
        "min_language_proficiency",
        "locales",
    ):
        op.drop_column("projects", column)
    op.drop_column("tasks", "language")
    op.drop_column("tasks", "locale")
