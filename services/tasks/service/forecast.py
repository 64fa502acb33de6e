"""The manpower forecast of a project (rules/forecast.py) from its work left, its eligible pool and the
assumptions stated, measured or planned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.assignment.queries import eligible_pools
from services.tasks.models import Project
from services.tasks.repository import forecast as repo
from services.tasks.repository.stats import project_counters
from services.tasks.rules import forecast as rules
from services.tasks.rules.eligibility import language_code
from services.tasks.rules.kpis import avg_handling_seconds
from services.tasks.service.projects import get_project
from shared.db import utcnow
from shared.rawsql import session_connection


async def project_forecast(
    session: AsyncSession,
    *,
    project: Project,
    counters: dict[str, int],
    now: datetime,
    handling_seconds: float | None = None,
    review_seconds: float | None = None,
    hours_per_day: float | None = None,
) -> dict[str, Any]:
    """Per locale: the work left, the people it needs by the deadline and the people who may do it.
    Stated assumptions win; else the handling time measured so far, else the project's plan."""
    measured = avg_handling_seconds(
        handling_seconds=counters["handling_seconds"], answers=counters["submissions"]
    )
    handling = rules.choose(
        (handling_seconds, "stated"), (measured, "measured"), (project.planned_handling_seconds, "project")
    )
    assumptions = rules.Assumptions(
        handling_seconds=handling,
        review_seconds=rules.choose((review_seconds, "stated"), (handling.value, "handling")),
        hours_per_day=rules.choose(
            (hours_per_day, "stated"),
            (project.planned_hours_per_day, "project"),
            (rules.DEFAULT_HOURS_PER_DAY, "default"),
        ),
    )
    works = await _work_left(session, project=project, counters=counters, now=now)
    return rules.plan(
        works, assumptions=assumptions, review_ratio=project.review_ratio, deadline=project.deadline, now=now
    )


async def forecast_of(*, session: AsyncSession, project_id: int, **stated: float | None) -> dict[str, Any]:
    project = await get_project(session=session, project_id=project_id)
    counters = await project_counters(session, project_id=project.id)
    return await project_forecast(session, project=project, counters=counters, now=utcnow(), **stated)


async def _work_left(
    session: AsyncSession, *, project: Project, counters: dict[str, int], now: datetime
) -> list[rules.LocaleWork]:
    pools = await eligible_pools(await session_connection(session), project_id=project.id, now=now)
    if not project.locales:
        # Tasks are imported at the project's overlap (which never changes); raise_overlap adds to it.
        units_total = counters["tasks_imported"] * project.overlap + counters["overlap_raised"]
        max_overlap = project.overlap
        if counters["overlap_raised"]:
            max_overlap = await repo.max_open_overlap(session, project_id=project.id) or project.overlap
        return [
            rules.LocaleWork(
                locale=None,
                tasks_open=counters["tasks_imported"] - counters["tasks_completed"],
                labeling_units_left=max(units_total - counters["submissions"] + counters["rejected"], 0),
                pending_review=max(counters["submissions"] - counters["accepted"] - counters["rejected"], 0),
                max_overlap=max_overlap,
                eligible_pool=pools.get("", 0),
            )
        ]
    open_work = await repo.open_work_by_locale(session, project_id=project.id)
    pending = await repo.pending_review_by_locale(session, project_id=project.id)
    works = []
    for locale in project.locales:
        work = open_work.get(locale, {"tasks_open": 0, "units_left": 0, "max_overlap": project.overlap})
        works.append(
            rules.LocaleWork(
                locale=locale,
                tasks_open=work["tasks_open"],
                labeling_units_left=work["units_left"],
                pending_review=pending.get(locale, 0),
                max_overlap=work["max_overlap"],
                eligible_pool=pools.get(language_code(locale), 0),
            )
        )
    return works
