"""Queries behind the KPIs of services.tasks.rules.kpis: SLA outcomes per task, and the counts every
count-based KPI is computed from, per project or vendor over a window.

Index ranges only, never a scan of a project's tasks: open tasks by due time (ix_tasks_open_due) or import
time (ix_tasks_unfinished), answers by time; a finished task's SLA outcome is the on_time its finishing
answer was stamped with at submit, so no index on every task is needed (each would cost every lease)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Float, and_, case, cast, false, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import MetricWatermark, Project, ProjectCounter, Submission, Task
from services.tasks.repository import sum_if
from services.tasks.rules.kpis import at_risk_horizon, due_time
from shared.db import dialect_of, insert_ignoring_conflicts


async def sla_projects(session: AsyncSession) -> dict[int, float | None]:
    """Every project → its SLA turnaround hours (None: only tasks with their own due time have an SLA)."""
    rows = await session.execute(select(Project.id, Project.sla_turnaround_hours))
    return {int(p): h for p, h in rows.all()}


def _open() -> ColumnElement[bool]:
    return Task.completed_count < Task.overlap


async def _count(session: AsyncSession, *where: ColumnElement[bool]) -> int:
    return int((await session.execute(select(func.count()).select_from(Task).where(*where))).scalar() or 0)


async def open_due_between(
    session: AsyncSession,
    *,
    project_id: int,
    sla_hours: float | None,
    since: datetime | None,
    until: datetime,
) -> int:
    """Open tasks of a project due in [since, until) (since None: any time before until): by their own due
    time (ix_tasks_open_due), or by import + the project's SLA (ix_tasks_unfinished)."""
    own = [Task.project_id == project_id, Task.due_at.is_not(None), _open(), Task.due_at < until]
    if since is not None:
        own.append(Task.due_at >= since)
    total = await _count(session, *own)
    if sla_hours is None:
        return total
    shift = timedelta(hours=sla_hours)
    undated_open = [Task.project_id == project_id, _open(), Task.due_at.is_(None)]
    if since is None:
        # Every open task without a due time of its own is past due but those imported within the last SLA
        # period: counted as open (the running counters) less those, a range of the recent imports only —
        # counting the overdue ones themselves would read them all (a million in bench/assignment.py).
        not_yet_due = await _count(session, *undated_open, Task.created_at >= until - shift)
        return total + max(await _open_without_own_due(session, project_id=project_id) - not_yet_due, 0)
    return total + await _count(
        session, *undated_open, Task.created_at >= since - shift, Task.created_at < until - shift
    )


async def _open_without_own_due(session: AsyncSession, *, project_id: int) -> int:
    """Open tasks of the project with no due time of their own: open ones (imported less completed, the
    running counters) less those that have one (ix_tasks_open_due holds just those)."""
    counted = select(
        func.coalesce(func.sum(ProjectCounter.tasks_imported - ProjectCounter.tasks_completed), 0)
    )
    open_total = int((await session.execute(counted.where(ProjectCounter.project_id == project_id))).scalar())
    with_own_due = await _count(session, Task.project_id == project_id, Task.due_at.is_not(None), _open())
    return max(open_total - with_own_due, 0)


async def open_past_due(
    session: AsyncSession, *, project_id: int, sla_hours: float | None, now: datetime
) -> int:
    """Open tasks past their due time (breached, and still open)."""
    return await open_due_between(session, project_id=project_id, sla_hours=sla_hours, since=None, until=now)


def _open_due_by(
    *, project_id: int, sla_hours: float | None, since: datetime | None, until: datetime
) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]] | None]:
    """Open tasks of a project due in (since, until] (since None: any time up to until), as conditions on
    their own due time (ix_tasks_open_due) and on import + the project's SLA (ix_tasks_unfinished; None
    when the project has no SLA)."""
    own = [Task.project_id == project_id, Task.due_at.is_not(None), _open(), Task.due_at <= until]
    if since is not None:
        own.append(Task.due_at > since)
    if not sla_hours:
        return own, None
    shift = timedelta(hours=sla_hours)
    by_sla = [Task.project_id == project_id, _open(), Task.due_at.is_(None), Task.created_at < until - shift]
    if since is not None:
        by_sla.append(Task.created_at >= since - shift)
    return own, by_sla


def _at_risk(
    *, project_id: int, sla_hours: float, now: datetime
) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]] | None]:
    """At risk (rules.kpis): open, not yet due, due within the at-risk horizon of the project's SLA."""
    return _open_due_by(
        project_id=project_id, sla_hours=sla_hours, since=now, until=now + at_risk_horizon(sla_hours)
    )


async def open_at_risk(
    session: AsyncSession, *, project_id: int, sla_hours: float | None, now: datetime
) -> int:
    """Open tasks not yet due but due within the at-risk horizon of the project's SLA."""
    if not sla_hours:
        return 0
    own, by_sla = _at_risk(project_id=project_id, sla_hours=sla_hours, now=now)
    return await _count(session, *own) + await _count(session, *(by_sla or [false()]))


class AtRiskRow(NamedTuple):
    id: int
    external_id: str | None
    assigned_count: int
    completed_count: int
    overlap: int
    due_at: datetime


async def open_at_risk_page(
    session: AsyncSession,
    *,
    project_id: int,
    sla_hours: float | None,
    now: datetime,
    include_past_due: bool,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[AtRiskRow]:
    """The open tasks `open_at_risk` counts (and with `include_past_due`, those `open_past_due` counts),
    earliest due first, after the (due time, id) `after`, `limit` + 1 of them.

    Each range is walked in its own index order (ix_tasks_open_due by due time; ix_tasks_unfinished by
    import time, which orders the SLA due times alike) and the two are merged."""
    if include_past_due:
        until = now + at_risk_horizon(sla_hours) if sla_hours else now
        own, by_sla = _open_due_by(project_id=project_id, sla_hours=sla_hours, since=None, until=until)
    elif sla_hours:
        own, by_sla = _at_risk(project_id=project_id, sla_hours=sla_hours, now=now)
    else:
        return []
    shift = timedelta(hours=sla_hours or 0)
    if after is not None:
        due, last_id = after
        own.append(or_(Task.due_at > due, and_(Task.due_at == due, Task.id > last_id)))
        if by_sla is not None:
            by_sla.append(
                or_(Task.created_at > due - shift, and_(Task.created_at == due - shift, Task.id > last_id))
            )
    columns = (Task.id, Task.external_id, Task.assigned_count, Task.completed_count, Task.overlap)
    stmt = select(*columns, Task.due_at).where(*own).order_by(Task.due_at, Task.id).limit(limit + 1)
    rows = [AtRiskRow(*row) for row in (await session.execute(stmt)).all()]
    if by_sla is not None:
        stmt = select(*columns, Task.created_at).where(*by_sla).order_by(Task.created_at, Task.id)
        rows += [
            AtRiskRow(*row[:-1], due_at=row[-1] + shift)
            for row in (await session.execute(stmt.limit(limit + 1))).all()
        ]
    rows.sort(key=lambda row: (row.due_at, row.id))
    return rows[: limit + 1]


async def settled_on_time_and_late(session: AsyncSession, *, project_id: int) -> tuple[int, int]:
    """(on time, late) finished tasks of a project, from its running counters (one per task at its final
    label, taken back when it reopens)."""
    stmt = select(
        func.coalesce(func.sum(ProjectCounter.on_time), 0), func.coalesce(func.sum(ProjectCounter.late), 0)
    ).where(ProjectCounter.project_id == project_id)
    on_time, late = (await session.execute(stmt)).one()
    return int(on_time), int(late)


def _finishing_answers(*where: ColumnElement[bool]) -> Any:
    """Answers that finished their task (submitted the moment it completed). Their on_time was stamped at
    submit against the task's due time: it is the task's SLA outcome."""
    return (
        select(Submission.id)
        .join(Task, and_(Task.id == Submission.task_id, Task.completed_at == Submission.created_at))
        .where(*where)
    )


async def sla_outcomes_between(
    session: AsyncSession, *, projects: dict[int, float | None], since: datetime, until: datetime
) -> dict[int, tuple[int, int]]:
    """project → (tasks on time, tasks breached) whose SLA outcome settled in [since, until): on time at
    its final label, breached at its due time (open then, or finished after it). `until` ≤ now.

    Project by project, so every query is a range of one project's index (answers by time, open tasks
    by due or import time)."""
    out: dict[int, tuple[int, int]] = {}
    for project_id, sla_hours in projects.items():
        in_project = Submission.project_id == project_id
        on_time_stmt = _finishing_answers(
            in_project,
            Submission.created_at >= since,
            Submission.created_at < until,
            Submission.on_time.is_(True),
        ).with_only_columns(func.count())
        on_time = int((await session.execute(on_time_stmt)).scalar() or 0)
        # Finished late and due in the window: finished after the window started, since after their due time.
        late = _finishing_answers(in_project, Submission.created_at >= since, Submission.on_time.is_(False))
        breached = 0
        for due_at, imported_at in (
            await session.execute(late.with_only_columns(Task.due_at, Task.created_at))
        ).all():
            due = due_time(imported_at=imported_at, due_at=due_at, sla_turnaround_hours=sla_hours)
            breached += due is not None and since <= due < until
        breached += await open_due_between(
            session, project_id=project_id, sla_hours=sla_hours, since=since, until=until
        )
        if on_time or breached:
            out[project_id] = (on_time, breached)
    return out


async def breaches_total(session: AsyncSession, *, now: datetime) -> int:
    """Every task ever breached, across projects: finished late (the running counters), or open past its
    own due time or its project's SLA."""
    late = select(func.coalesce(func.sum(ProjectCounter.late), 0))
    total = int((await session.execute(late)).scalar() or 0)
    total += await _count(session, Task.due_at.is_not(None), _open(), Task.due_at < now)
    with_sla = select(Project.id, Project.sla_turnaround_hours).where(
        Project.sla_turnaround_hours.is_not(None)
    )
    for project_id, hours in (await session.execute(with_sla)).all():
        total += await _count(
            session, Task.project_id == project_id, _open(), Task.created_at < now - timedelta(hours=hours),
            Task.due_at.is_(None),
        )  # fmt: skip
    return total


async def raise_watermark(session: AsyncSession, *, name: str, value: int) -> int:
    """Move the watermark `name` up to `value`; how far it moved (0 when another process got there first
    or the figure went down: a counter never takes back)."""
    current = (
        await session.execute(select(MetricWatermark.value).where(MetricWatermark.name == name))
    ).scalar()
    if current is None:
        # Another process may create it at the same moment: either insert stands.
        await insert_ignoring_conflicts(session, MetricWatermark.__table__, {"name": name, "value": 0})
        current = 0
    if value <= current:
        return 0
    moved = await session.execute(
        update(MetricWatermark)
        .where(MetricWatermark.name == name, MetricWatermark.value == current)
        .values(value=value)
    )
    return value - int(current) if moved.rowcount == 1 else 0


def _delivery_seconds(session: AsyncSession) -> ColumnElement[float]:
    """Seconds from the task's import to the answer's delivery, on either backend."""
    if dialect_of(session) == "postgresql":
        return func.extract("epoch", Submission.created_at - Task.created_at)
    return (func.julianday(Submission.created_at) - func.julianday(Task.created_at)) * literal(86400.0)


async def facts_between(
    session: AsyncSession,
    *,
    key: ColumnElement,
    since: datetime,
    until: datetime,
    only: int | None = None,
) -> dict[int, dict[str, Any]]:
    """Per `key` (project or vendor): the counts of services.tasks.rules.kpis.figures in [since, until).

    Answers count by submission time; decisions (accepted, rejected) by decision time, as production and
    invoices do, so accepted labels here are the units the vendors service prices for the same window.
    `only` narrows to one key value (the caller has checked it may read it).
    """
    submitted_where = [Submission.created_at >= since, Submission.created_at < until, key.is_not(None)]
    decided_where = [Submission.decided_at >= since, Submission.decided_at < until, key.is_not(None)]
    if only is not None:
        submitted_where.append(key == only)
        decided_where.append(key == only)
    finishing = Task.completed_at == Submission.created_at
    submitted = (
        select(
            key.label("id"),
            func.count().label("answers"),
            func.coalesce(func.sum(Submission.time_spent_seconds), 0).label("handling_seconds"),
            sum_if(Submission.is_gold.is_(True)).label("gold_total"),
            sum_if(and_(Submission.is_gold.is_(True), Submission.gold_correct.is_(True))).label(
                "gold_correct"
            ),
            sum_if(Submission.on_time.is_(True)).label("delivered_on_time"),
            func.count(Submission.on_time).label("delivered_with_due"),
            func.coalesce(func.sum(cast(_delivery_seconds(session), Float)), 0).label("delivery_seconds"),
            # The answer that finished its task (submitted the moment the task completed): its delivery is
            # the task's turnaround, import → final label.
            sum_if(finishing).label("finished"),
            func.coalesce(
                func.sum(case((finishing, cast(_delivery_seconds(session), Float)), else_=0.0)), 0
            ).label("turnaround_seconds"),
        )
        .join(Task, Task.id == Submission.task_id)
        .where(*submitted_where)
        .group_by(key)
    )
    decided = (
        select(
            key.label("id"),
            sum_if(Submission.outcome == "accepted").label("accepted"),
            sum_if(Submission.outcome == "rejected").label("rejected"),
        )
        .where(*decided_where)
        .group_by(key)
    )
    facts: dict[int, dict[str, Any]] = {}
    for stmt in (submitted, decided):
        for row in (await session.execute(stmt)).mappings():
            facts.setdefault(int(row["id"]), {}).update(
                {
                    k: (float(v) if k.endswith("_seconds") and k != "handling_seconds" else int(v))
                    for k, v in row.items()
                    if k != "id"
                }  # fmt: skip
            )
    return facts


async def answers_between(
    session: AsyncSession, *, project_id: int, since: datetime, until: datetime, limit: int
) -> list[tuple[int, int, Any]]:
    """(task, contributor, answer) of the latest answers not rejected submitted in [since, until), for
    agreement on a bounded sample."""
    stmt = (
        select(Submission.task_id, Submission.contributor_id, Submission.answer)
        .where(
            Submission.project_id == project_id,
            Submission.created_at >= since,
            Submission.created_at < until,
            Submission.outcome != "rejected",
        )
        .order_by(Submission.id.desc())
        .limit(limit)
    )
    return [(r[0], r[1], r[2]) for r in (await session.execute(stmt)).all()]
