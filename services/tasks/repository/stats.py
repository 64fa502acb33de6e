"""Read queries for stats, production, results and exports (counters and indexed ranges, no full scans);
`readable_production` and `readable_contributor_work` scope the tenants' figures to the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Select, false, func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.deps import FIGURES_READERS
from services.tasks.models import ContributorProfile, Project, Submission, Task
from services.tasks.repository import sum_if, typed_sql
from services.tasks.repository.profiles import get_readable_profile, readable_profiles
from shared.auth import Principal
from shared.tenancy import scoped_to_caller

COUNTER_COLUMNS = (
    "tasks_imported",
    "tasks_completed",
    "submissions",
    "handling_seconds",
    "gold_total",
    "gold_correct",
    "accepted",
    "rejected",
    "on_time",
    "late",
    "overlap_raised",
)


async def project_counters(session: AsyncSession, *, project_id: int) -> dict[str, int]:
    sums = ", ".join(f"COALESCE(SUM({c}), 0) AS {c}" for c in COUNTER_COLUMNS)
    row = (
        (
            await session.execute(
                text(f"SELECT {sums} FROM project_counters WHERE project_id = :p"), {"p": project_id}
            )
        )
        .mappings()
        .one()
    )
    return {k: int(v) for k, v in row.items()}


async def live_leases(session: AsyncSession, *, project_id: int, now: datetime) -> int:
    stmt = typed_sql(
        """
        SELECT count(*) FROM assignments a JOIN queues q ON q.id = a.queue_id
        WHERE q.project_id = :p AND q.kind = 'labeling' AND a.status = 'leased' AND a.lease_expires_at >= :now
        """,
        times=("now",),
    )
    return int((await session.execute(stmt, {"p": project_id, "now": now})).scalar() or 0)


async def recent_answers(session: AsyncSession, *, project_id: int, limit: int) -> list[tuple[int, int, Any]]:
    """(task, contributor, answer) of the latest submissions, for agreement on a bounded sample."""
    stmt = text(
        """
        SELECT task_id, contributor_id, answer FROM submissions
        WHERE project_id = :p AND outcome <> 'rejected' ORDER BY id DESC LIMIT :limit
        """
    ).columns(answer=JSON())
    rows = (await session.execute(stmt, {"p": project_id, "limit": limit})).all()
    return [(r[0], r[1], r[2]) for r in rows]


def readable_production(principal: Principal) -> Select:
    """The submissions behind production and vendor figures: figure readers every one; a vendor user
    those made for its vendor; anyone else none."""
    return scoped_to_caller(
        select(Submission), principal, readers=FIGURES_READERS, vendor_column=Submission.vendor_id
    )


def vendor_is_readable(principal: Principal, *, vendor_id: int) -> bool:
    """Whether `readable_production` lets the caller see the vendor at all (another tenant is not found)."""
    return principal.has_any(*FIGURES_READERS) or (
        principal.has_any("vendor") and principal.vendor_id == vendor_id
    )


def readable_contributor_work(principal: Principal) -> Select:
    """The submissions behind contributor figures: figure readers every one; a contributor its own; a
    vendor user all of those of the contributors whose profile is with its vendor; anyone else none."""
    stmt = select(Submission)
    if principal.has_any(*FIGURES_READERS):
        return stmt
    if principal.has_any("contributor") and principal.contributor_id is not None:
        stmt = stmt.where(Submission.contributor_id == principal.contributor_id)
        if not principal.has_any("vendor"):
            return stmt
    if principal.has_any("vendor") and principal.vendor_id is not None:
        people = readable_profiles(principal).with_only_columns(ContributorProfile.contributor_id)
        return stmt.where(Submission.contributor_id.in_(people))
    return stmt.where(false())


async def contributor_is_readable(
    session: AsyncSession, *, principal: Principal, contributor_id: int
) -> bool:
    """Whether `readable_contributor_work` lets the caller see the contributor at all: figure readers any
    (even one with no profile here yet), a contributor itself, a vendor user one of its vendor's people."""
    if principal.has_any(*FIGURES_READERS):
        return True
    if principal.has_any("contributor") and principal.contributor_id != contributor_id:
        return False
    if principal.has_any("vendor"):
        return (
            await get_readable_profile(session, principal=principal, contributor_id=contributor_id)
            is not None
        )
    return principal.has_any("contributor")


async def contributor_totals(
    session: AsyncSession, *, principal: Principal, contributor_id: int, start: datetime, end: datetime
) -> dict[str, int]:
    stmt = (
        readable_contributor_work(principal)
        .with_only_columns(
            func.count().label("submissions"),
            func.coalesce(func.sum(Submission.time_spent_seconds), 0).label("seconds"),
            sum_if(Submission.outcome == "accepted").label("accepted"),
            sum_if(Submission.outcome == "rejected").label("rejected"),
            sum_if(Submission.is_gold).label("gold_total"),
            sum_if(Submission.gold_correct).label("gold_correct"),
        )
        .where(
            Submission.contributor_id == contributor_id,
            Submission.created_at >= start,
            Submission.created_at < end,
        )
    )
    row = (await session.execute(stmt)).mappings().one()
    return {k: int(v or 0) for k, v in row.items()}


async def production(
    session: AsyncSession,
    *,
    principal: Principal,
    vendor_id: int | None,
    start: datetime,
    end: datetime,
    by_day: bool = False,
) -> list[dict[str, Any]]:
    """Accepted and rejected units, and the seconds spent on the accepted ones, per project, vendor and
    task locale (and UTC day of decision when `by_day`), by decision time in [start, end)."""
    readable = (
        readable_production(principal)
        .join(Task, Task.id == Submission.task_id)
        .where(Submission.decided_at >= start, Submission.decided_at < end)
    )
    if vendor_id is not None:
        readable = readable.where(Submission.vendor_id == vendor_id)
    keys = [Submission.project_id, Submission.vendor_id, Task.locale]
    if by_day:
        # local_day exists on both backends (tasks migration 0008 on PostgreSQL, shared.db on SQLite); the
        # zone is a literal so PostgreSQL sees the same expression in SELECT and GROUP BY.
        keys.append(func.local_day(literal_column("'UTC'"), Submission.decided_at).label("day"))
    accepted = Submission.outcome == "accepted"
    units = (
        readable.with_only_columns(
            *keys,
            sum_if(accepted).label("accepted_units"),
            sum_if(Submission.outcome == "rejected").label("rejected_units"),
            sum_if(accepted, Submission.time_spent_seconds).label("handling_seconds"),
        )
        .group_by(*keys)
        .subquery("u")
    )
    day = [units.c.day] if by_day else []
    # Grouped on ids only: PostgreSQL's json type has no equality, so project facts are joined after.
    stmt = (
        select(
            units.c.project_id,
            Project.task_type,
            Project.required_languages,
            units.c.vendor_id,
            units.c.locale,
            *day,
            units.c.accepted_units,
            units.c.rejected_units,
            units.c.handling_seconds,
        )
        .join(Project, Project.id == units.c.project_id)
        .order_by(units.c.project_id, units.c.vendor_id, units.c.locale, *day)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def vendor_totals(
    session: AsyncSession, *, principal: Principal, vendor_id: int, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    readable = (
        readable_production(principal)
        .where(Submission.vendor_id == vendor_id, Submission.created_at >= start, Submission.created_at < end)
        .subquery("s")
    )
    stmt = (
        select(
            readable.c.outcome,
            Project.content_severity,
            func.count().label("n"),
            func.coalesce(func.sum(readable.c.time_spent_seconds), 0).label("seconds"),
            sum_if(readable.c.is_gold).label("gold_total"),
            sum_if(readable.c.gold_correct).label("gold_correct"),
        )
        .join(Project, Project.id == readable.c.project_id)
        .group_by(readable.c.outcome, Project.content_severity)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def answers_of_project(session: AsyncSession, *, project_id: int) -> AsyncIterator[tuple]:
    stmt = text(
        """
        SELECT s.task_id, s.contributor_id, s.answer, s.vendor_id FROM submissions s
        WHERE s.project_id = :p AND s.outcome <> 'rejected' ORDER BY s.task_id, s.id
        """
    ).columns(answer=JSON())
    result = await session.stream(stmt, {"p": project_id})
    async for row in result:
        yield tuple(row)


async def tasks_of_project(
    session: AsyncSession, *, project_id: int, after_id: int, limit: int
) -> list[dict]:
    stmt = text(
        """
        SELECT id, data, is_gold, gold_answer, final_answer, completed_count, overlap FROM tasks
        WHERE project_id = :p AND id > :after ORDER BY id LIMIT :limit
        """
    ).columns(data=JSON(), gold_answer=JSON(), final_answer=JSON())
    rows = await session.execute(stmt, {"p": project_id, "after": after_id, "limit": limit})
    return [dict(r) for r in rows.mappings()]


async def queue_depth(session: AsyncSession, *, now: datetime) -> dict[str, int]:
    """Task units across active projects: open (not yet finished) and leased right now."""
    totals = (
        await session.execute(
            text(
                """
                SELECT COALESCE(SUM(c.tasks_imported - c.tasks_completed), 0)
                FROM project_counters c JOIN projects p ON p.id = c.project_id WHERE p.status = 'active'
                """
            )
        )
    ).scalar()
    leased = (
        await session.execute(
            typed_sql(
                "SELECT count(*) FROM assignments WHERE status = 'leased' AND lease_expires_at >= :now",
                times=("now",),
            ),
            {"now": now},
        )
    ).scalar()
    return {"open": int(totals or 0), "leased": int(leased or 0)}


async def oldest_unfinished_task_created_at(session: AsyncSession) -> datetime | None:
    """When the oldest task still short of its overlap in an active project was imported.

    One indexed lookup per active project (ix_tasks_unfinished), never a scan of the tasks.
    """
    stmt = typed_sql(
        """
        SELECT MIN((SELECT MIN(t.created_at) FROM tasks t
                    WHERE t.project_id = p.id AND t.completed_count < t.overlap)) AS oldest
        FROM projects p WHERE p.status = 'active'
        """,
        out_times=("oldest",),
    )
    return (await session.execute(stmt)).scalar()


async def gold_answer_totals(session: AsyncSession) -> tuple[int, int]:
    """(correct, total) gold answers across active projects, from the running counters."""
    row = (
        await session.execute(
            text(
                """
                SELECT COALESCE(SUM(c.gold_correct), 0), COALESCE(SUM(c.gold_total), 0)
                FROM project_counters c JOIN projects p ON p.id = c.project_id WHERE p.status = 'active'
                """
            )
        )
    ).one()
    return int(row[0]), int(row[1])
