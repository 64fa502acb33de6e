"""Queries behind the manpower forecast (rules/forecast.py): the work left per locale.

A project without locales reads its running counters (no scan of its tasks); a project with locales
groups its unfinished tasks by locale (ix_tasks_unfinished), a scan of the open tasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import Submission, Task


async def open_work_by_locale(session: AsyncSession, *, project_id: int) -> dict[str | None, dict[str, int]]:
    """Per locale of the project's unfinished tasks: how many, the answers they still need, the most
    different people one of them needs."""
    stmt = (
        select(
            Task.locale,
            func.count().label("tasks_open"),
            func.sum(Task.overlap - Task.completed_count).label("units_left"),
            func.max(Task.overlap).label("max_overlap"),
        )
        .where(Task.project_id == project_id, Task.completed_count < Task.overlap)
        .group_by(Task.locale)
    )
    return {
        r.locale: {
            "tasks_open": int(r.tasks_open),
            "units_left": int(r.units_left),
            "max_overlap": int(r.max_overlap),
        }
        for r in await session.execute(stmt)
    }


async def pending_review_by_locale(session: AsyncSession, *, project_id: int) -> dict[str | None, int]:
    """Answers awaiting review per locale of their task."""
    stmt = (
        select(Task.locale, func.count())
        .select_from(Submission)
        .join(Task, Task.id == Submission.task_id)
        .where(Submission.project_id == project_id, Submission.outcome == "pending_review")
        .group_by(Task.locale)
    )
    return {locale: int(n) for locale, n in await session.execute(stmt)}


async def max_open_overlap(session: AsyncSession, *, project_id: int) -> int | None:
    """The largest overlap of an unfinished task (a quality rule may have raised some above the project's)."""
    stmt = select(func.max(Task.overlap)).where(
        Task.project_id == project_id, Task.completed_count < Task.overlap
    )
    value: Any = (await session.execute(stmt)).scalar()
    return None if value is None else int(value)
