"""Reads behind results and exports, one page of tasks at a time (keyset on the task id, so memory stays
flat however many tasks a project has), and the stored aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import TaskAggregate
from services.tasks.repository import typed_sql
from shared.db import dialect_of

TASKS_PAGE = typed_sql(
    """
    SELECT id, data, is_gold, gold_answer, completed_count, overlap, external_id, prelabels, batch_id,
           locale, created_at, completed_at
    FROM tasks WHERE project_id = :p AND id > :after ORDER BY id LIMIT :limit
    """,
    json_cols=("data", "gold_answer", "prelabels"),
    out_times=("created_at", "completed_at"),
    bools=("is_gold",),
)


async def tasks_page(session: AsyncSession, *, project_id: int, after_id: int, limit: int) -> list[dict]:
    rows = await session.execute(TASKS_PAGE, {"p": project_id, "after": after_id, "limit": limit})
    return [dict(r) for r in rows.mappings()]


ANSWERS_OF_TASKS = typed_sql(
    """
    SELECT task_id, contributor_id, answer, time_spent_seconds, created_at FROM submissions
    WHERE project_id = :p AND task_id BETWEEN :lo AND :hi AND outcome <> 'rejected' ORDER BY task_id, id
    """,
    json_cols=("answer",),
    out_times=("created_at",),
)


async def answers_of_tasks(
    session: AsyncSession, *, project_id: int, first_id: int, last_id: int
) -> dict[int, list[dict[str, Any]]]:
    """The counted (not rejected) answers of the project's tasks with ids in [first_id, last_id]."""
    rows = await session.execute(ANSWERS_OF_TASKS, {"p": project_id, "lo": first_id, "hi": last_id})
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows.mappings():
        out.setdefault(r["task_id"], []).append(
            {
                "contributor_id": r["contributor_id"],
                "answer": r["answer"],
                "time_spent_seconds": r["time_spent_seconds"],
                "submitted_at": r["created_at"],
            }
        )
    return out


CORRECTIONS_OF_TASKS = typed_sql(
    """
    SELECT s.task_id, r.answer FROM reviews r JOIN submissions s ON s.id = r.submission_id
    WHERE s.project_id = :p AND s.task_id BETWEEN :lo AND :hi AND r.verdict = 'correct'
    ORDER BY s.task_id, r.id
    """,
    json_cols=("answer",),
)


async def corrections_of_tasks(
    session: AsyncSession, *, project_id: int, first_id: int, last_id: int
) -> dict[int, Any]:
    """The latest reviewer correction per task (read from the reviews, so a later requeue of another
    answer or a raised overlap does not lose it)."""
    rows = await session.execute(CORRECTIONS_OF_TASKS, {"p": project_id, "lo": first_id, "hi": last_id})
    return {task_id: answer for task_id, answer in rows.all()}


AGGREGATES_OF_TASKS = typed_sql(
    """
    SELECT task_id, method, label, confidence, votes, aggregated_at FROM task_aggregates
    WHERE project_id = :p AND task_id BETWEEN :lo AND :hi
    """,
    json_cols=("label",),
    out_times=("aggregated_at",),
)


async def aggregates_of_tasks(
    session: AsyncSession, *, project_id: int, first_id: int, last_id: int
) -> dict[int, dict[str, Any]]:
    rows = await session.execute(AGGREGATES_OF_TASKS, {"p": project_id, "lo": first_id, "hi": last_id})
    return {r["task_id"]: dict(r) for r in rows.mappings()}


async def replace_aggregates(
    session: AsyncSession, *, project_id: int, rows: Sequence[dict[str, Any]], chunk: int = 5000
) -> None:
    """The project's aggregates become `rows` (task_id, method, label, confidence, votes, aggregated_at)."""
    await session.execute(delete(TaskAggregate).where(TaskAggregate.project_id == project_id))
    for start in range(0, len(rows), chunk):
        await session.execute(
            insert(TaskAggregate), [{"project_id": project_id, **r} for r in rows[start : start + chunk]]
        )


async def data_keys(session: AsyncSession, *, project_id: int) -> list[str]:
    """Every key used in the data of the project's tasks (the columns of a flat export), computed in the
    database so only the keys travel."""
    if dialect_of(session) == "postgresql":
        sql = "SELECT DISTINCT json_object_keys(data) AS k FROM tasks WHERE project_id = :p"
    else:
        sql = "SELECT DISTINCT j.key AS k FROM tasks t, json_each(t.data) j WHERE t.project_id = :p"
    rows = await session.execute(text(sql), {"p": project_id})
    return sorted(str(r[0]) for r in rows.all())


async def sample_data(session: AsyncSession, *, project_id: int) -> dict[str, Any] | None:
    """The data of the project's first task (what a labeling config is drawn from)."""
    stmt = typed_sql("SELECT data FROM tasks WHERE project_id = :p ORDER BY id LIMIT 1", json_cols=("data",))
    return (await session.execute(stmt, {"p": project_id})).scalar_one_or_none()


async def import_window(session: AsyncSession, *, project_id: int) -> tuple[datetime | None, datetime | None]:
    """When the project's first and last imports landed (from its batches, a short list)."""
    stmt = typed_sql(
        "SELECT MIN(created_at) AS first, MAX(created_at) AS last FROM batches WHERE project_id = :p",
        out_times=("first", "last"),
    )
    row = (await session.execute(stmt, {"p": project_id})).one()
    return row[0], row[1]
