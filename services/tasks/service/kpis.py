"""The tasks service's KPIs for every surface (stats, reports, metrics, the vendors' scorecards): the counts
from repository.kpis, turned into figures by rules.kpis only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import Project, Submission
from services.tasks.repository import kpis as repo
from services.tasks.rules import kpis
from services.tasks.rules.label_schema import comparable
from services.tasks.schemas.stats import AtRiskTaskPage, AtRiskTaskRead
from shared.db import Database, utcnow
from shared.pagination import as_datetime, decode_position, encode_position

BREACHES_WATERMARK = "sla_breaches"
# The at-risk list's one order (its cursors carry it): due time, then task id.
AT_RISK_ORDER = "due_at"
CURSOR_TIMES = (datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC))
# Agreement is computed on the latest answers, at most this many (stats and reports alike).
AGREEMENT_SAMPLE = 3000


async def project_sla(session: AsyncSession, *, project: Project, now: datetime) -> dict[str, Any]:
    """A project's SLA to date: tasks finished on time, tasks breached (finished late or open past due),
    the on-time rate over both, and open tasks at risk now."""
    on_time, late = await repo.settled_on_time_and_late(session, project_id=project.id)
    open_breached = await repo.open_past_due(
        session, project_id=project.id, sla_hours=project.sla_turnaround_hours, now=now
    )
    return {
        "turnaround_hours": project.sla_turnaround_hours,
        **kpis.sla_figures(on_time=on_time, breached=late + open_breached),
        "open_breached_tasks": open_breached,
        "at_risk_tasks": await repo.open_at_risk(
            session, project_id=project.id, sla_hours=project.sla_turnaround_hours, now=now
        ),
    }


async def sla_between(
    session: AsyncSession, *, since: datetime, until: datetime
) -> dict[int, dict[str, Any]]:
    """project → its SLA figures over the tasks whose outcome settled in [since, until) (until capped at
    now: a task not yet due has no outcome)."""
    until = min(until, utcnow())
    if until <= since:
        return {}
    outcomes = await repo.sla_outcomes_between(
        session, projects=await repo.sla_projects(session), since=since, until=until
    )
    return {p: kpis.sla_figures(on_time=ok, breached=late) for p, (ok, late) in outcomes.items()}


async def figures_between(
    session: AsyncSession, *, scope: str, since: datetime, until: datetime, only: int | None = None
) -> dict[int, dict[str, Any]]:
    """project or vendor → its count-based KPIs over [since, until) (`only`: one of them)."""
    key = Submission.project_id if scope == "project" else Submission.vendor_id
    facts = await repo.facts_between(session, key=key, since=since, until=until, only=only)
    hours = (until - since).total_seconds() / 3600
    return {k: kpis.figures(f, window_hours=hours) for k, f in facts.items()}


async def agreement_between(
    session: AsyncSession, *, project_id: int, since: datetime, until: datetime
) -> float | None:
    """Agreement over the latest AGREEMENT_SAMPLE answers not rejected submitted in [since, until)."""
    sample = await repo.answers_between(
        session, project_id=project_id, since=since, until=until, limit=AGREEMENT_SAMPLE
    )
    return kpis.agreement((t, w, comparable(a)) for t, w, a in sample)


async def breaches_to_count(db: Database) -> int:
    """Breaches not yet counted into labelops_sla_breaches_total by any process, claimed by this one.

    Counted in a read transaction; only the watermark's compare-and-set writes, so a scrape holds
    SQLite's write lock for one short statement.
    """
    async with db.read_sessionmaker() as session:
        total = await repo.breaches_total(session, now=utcnow())
    async with db.sessionmaker() as session:
        moved = await repo.raise_watermark(session, name=BREACHES_WATERMARK, value=total)
        await session.commit()
    return moved


def _cursor_due_time(value: Any) -> datetime:
    """A cursor's due time: aware, and far enough from datetime's ends to take an SLA period off it."""
    due = as_datetime(value)
    if due.tzinfo is None or not CURSOR_TIMES[0] <= due <= CURSOR_TIMES[1]:
        raise ValueError("not a due time this list gave")
    return due


async def at_risk_tasks(
    session: AsyncSession,
    *,
    project: Project,
    include_breached: bool,
    cursor: str | None,
    limit: int,
    now: datetime | None = None,
) -> AtRiskTaskPage:
    """The open tasks stats count as at risk (and, asked, those open past due), earliest due first, each
    with its SLA state as rules.kpis decides it."""
    now = now or utcnow()
    after = decode_position(cursor, AT_RISK_ORDER, _cursor_due_time) if cursor else None
    rows = await repo.open_at_risk_page(
        session,
        project_id=project.id,
        sla_hours=project.sla_turnaround_hours,
        now=now,
        include_past_due=include_breached,
        after=after,
        limit=limit,
    )
    items = [
        AtRiskTaskRead(
            task_id=row.id,
            external_id=row.external_id,
            due_at=row.due_at,
            assigned_count=row.assigned_count,
            completed_count=row.completed_count,
            overlap=row.overlap,
            sla_state="breached"
            if kpis.sla_state(
                due=row.due_at, final_at=None, now=now, sla_turnaround_hours=project.sla_turnaround_hours
            )
            is kpis.SlaState.BREACHED
            else "at_risk",
        )
        for row in rows[:limit]
    ]
    last = rows[limit - 1] if len(rows) > limit else None
    return AtRiskTaskPage(
        items=items, next_cursor=encode_position(AT_RISK_ORDER, last.due_at, last.id) if last else None
    )
