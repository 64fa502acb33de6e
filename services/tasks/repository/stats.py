"""Read queries for stats, production, results and exports (counters and indexed ranges, no full scans)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.repository import typed_sql

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


async def submissions_since(session: AsyncSession, *, project_id: int, since: datetime) -> int:
    stmt = typed_sql(
        "SELECT count(*) FROM submissions WHERE project_id = :p AND created_at >= :since", times=("since",)
    )
    return int((await session.execute(stmt, {"p": project_id, "since": since})).scalar() or 0)


async def unfinished_created_before(
    session: AsyncSession, *, project_id: int, before: datetime, cap: int
) -> int:
    """Unfinished tasks imported before `before`, counted up to `cap` (an index range, bounded)."""
    stmt = typed_sql(
        """
        SELECT count(*) FROM (
          SELECT 1 FROM tasks WHERE project_id = :p AND completed_count < overlap AND created_at < :before
          LIMIT :cap
        ) AS at_risk
        """,
        times=("before",),
    )
    return int((await session.execute(stmt, {"p": project_id, "before": before, "cap": cap})).scalar() or 0)


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


async def contributor_totals(
    session: AsyncSession, *, contributor_id: int, start: datetime, end: datetime
) -> dict:
    stmt = typed_sql(
        """
        SELECT count(*) AS submissions, COALESCE(SUM(time_spent_seconds), 0) AS seconds,
               COALESCE(SUM(CASE WHEN outcome = 'accepted' THEN 1 ELSE 0 END), 0) AS accepted,
               COALESCE(SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END), 0) AS rejected,
               COALESCE(SUM(CASE WHEN is_gold THEN 1 ELSE 0 END), 0) AS gold_total,
               COALESCE(SUM(CASE WHEN gold_correct THEN 1 ELSE 0 END), 0) AS gold_correct
        FROM submissions WHERE contributor_id = :c AND created_at >= :start AND created_at < :end
        """,
        times=("start", "end"),
    )
    row = (await session.execute(stmt, {"c": contributor_id, "start": start, "end": end})).mappings().one()
    return {k: int(v or 0) for k, v in row.items()}


async def production(
    session: AsyncSession, *, vendor_id: int | None, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Accepted and rejected units per project and vendor, by decision time in [start, end)."""
    vendor_filter = "AND s.vendor_id = :v" if vendor_id is not None else ""
    # Grouped on ids only: PostgreSQL's json type has no equality, so project facts are joined after.
    stmt = typed_sql(
        f"""
        SELECT u.project_id, p.task_type, p.required_languages, u.vendor_id, u.accepted_units, u.rejected_units
        FROM (
          SELECT s.project_id, s.vendor_id,
                 SUM(CASE WHEN s.outcome = 'accepted' THEN 1 ELSE 0 END) AS accepted_units,
                 SUM(CASE WHEN s.outcome = 'rejected' THEN 1 ELSE 0 END) AS rejected_units
          FROM submissions s
          WHERE s.decided_at >= :start AND s.decided_at < :end {vendor_filter}
          GROUP BY s.project_id, s.vendor_id
        ) AS u JOIN projects p ON p.id = u.project_id
        ORDER BY u.project_id, u.vendor_id
        """,
        times=("start", "end"),
        json_cols=("required_languages",),
    )
    params: dict[str, Any] = {"start": start, "end": end}
    if vendor_id is not None:
        params["v"] = vendor_id
    return [dict(r) for r in (await session.execute(stmt, params)).mappings()]


async def vendor_totals(
    session: AsyncSession, *, vendor_id: int, start: datetime, end: datetime
) -> dict[str, Any]:
    stmt = typed_sql(
        """
        SELECT s.outcome, p.content_severity, count(*) AS n, COALESCE(SUM(s.time_spent_seconds), 0) AS seconds,
               COALESCE(SUM(CASE WHEN s.is_gold THEN 1 ELSE 0 END), 0) AS gold_total,
               COALESCE(SUM(CASE WHEN s.gold_correct THEN 1 ELSE 0 END), 0) AS gold_correct
        FROM submissions s JOIN projects p ON p.id = s.project_id
        WHERE s.vendor_id = :v AND s.created_at >= :start AND s.created_at < :end
        GROUP BY s.outcome, p.content_severity
        """,
        times=("start", "end"),
    )
    return [
        dict(r)
        for r in (await session.execute(stmt, {"v": vendor_id, "start": start, "end": end})).mappings()
    ]


async def vendor_on_time(
    session: AsyncSession, *, vendor_id: int, start: datetime, end: datetime
) -> tuple[int, int]:
    """Of the vendor's answers in the period that had an SLA, how many came within it."""
    stmt = typed_sql(
        """
        SELECT COALESCE(SUM(CASE WHEN on_time THEN 1 ELSE 0 END), 0), count(on_time)
        FROM submissions WHERE vendor_id = :v AND created_at >= :start AND created_at < :end
        """,
        times=("start", "end"),
    )
    row = (await session.execute(stmt, {"v": vendor_id, "start": start, "end": end})).one()
    return int(row[0] or 0), int(row[1] or 0)


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
