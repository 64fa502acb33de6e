"""The hot path's queries: leasing, reclaiming, submitting. Core SQL only, one round trip per step.

PostgreSQL claims with `FOR UPDATE SKIP LOCKED` inside one statement (pick, bump the task's counter,
insert the lease); SQLite write transactions begin IMMEDIATE (shared.db), so writers are serialised and
the same steps run as two short statements.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.repository import dialect_of
from shared.db import UTCDateTime

UTC_TYPE = UTCDateTime()


def _sql(
    statement: str, *, times: tuple[str, ...] = (), json_cols: tuple[str, ...] = (), out_times=(), bools=()
):
    clause = text(statement)
    if times:
        clause = clause.bindparams(*(bindparam(name, type_=UTC_TYPE) for name in times))
    columns = (
        {c: JSON() for c in json_cols} | {c: UTC_TYPE for c in out_times} | {c: Boolean() for c in bools}
    )
    if columns:
        clause = clause.columns(**columns)
    return clause


LEASE_CONTEXT_SQL = """
    SELECT {relax} q.id AS queue_id, q.kind, p.id AS project_id, p.status AS project_status, p.lease_seconds,
           p.content_severity, p.gold_ratio, p.required_languages, p.required_skills,
           p.required_qualification, p.required_qualification_score,
           cp.contributor_id AS profile_id, cp.status AS contributor_status, cp.vendor_id, cp.languages,
           cp.skills, cp.qualifications, cp.daily_caps_minutes, cp.opted_out_harmful, cp.timezone, cp.erased,
           EXISTS (
             SELECT 1 FROM queue_permissions g
             WHERE g.queue_id = q.id AND g.revoked_at IS NULL AND g.suspended = false AND g.role = :role
               AND (g.expires_at IS NULL OR g.expires_at > :now)
               AND (g.contributor_id = :contributor_id
                    OR (g.vendor_id IS NOT NULL AND g.vendor_id = cp.vendor_id)
                    OR (g.crowd AND cp.contributor_id IS NOT NULL AND cp.vendor_id IS NULL))
           ) AS permitted,
           EXISTS (
             SELECT 1 FROM vendor_suspensions s WHERE s.project_id = p.id AND s.vendor_id = cp.vendor_id
           ) AS vendor_suspended,
           a.id AS lease_id, a.task_id AS lease_task_id, a.lease_expires_at, t.data AS lease_data
    FROM queues q
    JOIN projects p ON p.id = q.project_id
    LEFT JOIN contributor_profiles cp ON cp.contributor_id = :contributor_id
    LEFT JOIN assignments a ON a.queue_id = q.id AND a.contributor_id = :contributor_id AND a.status = 'leased'
    LEFT JOIN tasks t ON t.id = a.task_id
    WHERE q.id = :queue_id
    """
_LEASE_CONTEXT_TYPES = dict(
    times=("now",),
    json_cols=(
        "required_languages",
        "required_skills",
        "languages",
        "skills",
        "qualifications",
        "daily_caps_minutes",
        "lease_data",
    ),
    out_times=("lease_expires_at",),
    bools=("permitted", "vendor_suspended", "opted_out_harmful", "erased"),
)
LEASE_CONTEXT = _sql(LEASE_CONTEXT_SQL.format(relax=""), **_LEASE_CONTEXT_TYPES)
# A lease lost in a database crash costs nothing (the worker asks again and the task's counter is lost
# with it), so on PostgreSQL a `next` transaction does not wait for its WAL flush; submits still do.
LEASE_CONTEXT_PG = _sql(
    LEASE_CONTEXT_SQL.format(relax="set_config('synchronous_commit', 'off', true) AS relaxed,"),
    **_LEASE_CONTEXT_TYPES,
)


async def lease_context(
    session: AsyncSession, *, queue_id: int, contributor_id: int, role: str, now: datetime
) -> dict[str, Any] | None:
    stmt = LEASE_CONTEXT_PG if dialect_of(session) == "postgresql" else LEASE_CONTEXT
    result = await session.execute(
        stmt, {"queue_id": queue_id, "contributor_id": contributor_id, "role": role, "now": now}
    )
    row = result.mappings().first()
    return dict(row) if row is not None else None


EXPOSURE_TODAY = _sql(
    "SELECT seconds FROM daily_exposure WHERE contributor_id = :contributor_id AND day = :day AND severity = :severity"
)


async def exposure_seconds(session: AsyncSession, *, contributor_id: int, day: str, severity: str) -> int:
    result = await session.execute(
        EXPOSURE_TODAY, {"contributor_id": contributor_id, "day": day, "severity": severity}
    )
    return int(result.scalar() or 0)


RECLAIM_PG = _sql(
    """
    WITH expired AS (
      UPDATE assignments SET status = 'expired', finished_at = :now
      WHERE queue_id = :queue_id AND status = 'leased' AND lease_expires_at < :now
      RETURNING task_id
    ), per_task AS (SELECT task_id, count(*) AS n FROM expired GROUP BY task_id)
    UPDATE tasks SET assigned_count = tasks.assigned_count - per_task.n
    FROM per_task WHERE tasks.id = per_task.task_id
    RETURNING per_task.n
    """,
    times=("now",),
)
RECLAIM_ALL_PG = _sql(
    """
    WITH expired AS (
      UPDATE assignments SET status = 'expired', finished_at = :now
      WHERE status = 'leased' AND lease_expires_at < :now
      RETURNING task_id
    ), per_task AS (SELECT task_id, count(*) AS n FROM expired GROUP BY task_id)
    UPDATE tasks SET assigned_count = tasks.assigned_count - per_task.n
    FROM per_task WHERE tasks.id = per_task.task_id
    RETURNING per_task.n
    """,
    times=("now",),
)
EXPIRE_SQLITE = _sql(
    """
    UPDATE assignments SET status = 'expired', finished_at = :now
    WHERE queue_id = :queue_id AND status = 'leased' AND lease_expires_at < :now
    RETURNING task_id
    """,
    times=("now",),
)
EXPIRE_ALL_SQLITE = _sql(
    """
    UPDATE assignments SET status = 'expired', finished_at = :now
    WHERE status = 'leased' AND lease_expires_at < :now
    RETURNING task_id
    """,
    times=("now",),
)
GIVE_BACK = text("UPDATE tasks SET assigned_count = assigned_count - :n WHERE id = :task_id")


async def reclaim_expired_leases(session: AsyncSession, *, now: datetime, queue_id: int | None = None) -> int:
    """Expire overdue leases (of one queue, or all) and give their capacity back to the tasks."""
    params: dict[str, Any] = {"now": now}
    if queue_id is not None:
        params["queue_id"] = queue_id
    if dialect_of(session) == "postgresql":
        rows = (await session.execute(RECLAIM_PG if queue_id is not None else RECLAIM_ALL_PG, params)).all()
        return sum(int(r[0]) for r in rows)
    stmt = EXPIRE_SQLITE if queue_id is not None else EXPIRE_ALL_SQLITE
    task_ids = Counter(r[0] for r in (await session.execute(stmt, params)).all())
    if task_ids:
        await session.execute(GIVE_BACK, [{"task_id": t, "n": n} for t, n in task_ids.items()])
    return sum(task_ids.values())


_CLAIM_FILTER = """
    t.project_id = :project_id AND t.is_gold = :gold AND t.assigned_count < t.overlap
    AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.task_id = t.id AND x.contributor_id = :contributor_id)
"""
CLAIM_PG = _sql(
    f"""
    WITH picked AS (
      SELECT t.id FROM tasks t WHERE {_CLAIM_FILTER}
      ORDER BY t.rank, t.due_at, t.id
      LIMIT 1 FOR UPDATE SKIP LOCKED
    ), bumped AS (
      UPDATE tasks SET assigned_count = tasks.assigned_count + 1
      FROM picked WHERE tasks.id = picked.id AND tasks.assigned_count < tasks.overlap
      RETURNING tasks.id, tasks.data
    ), leased AS (
      INSERT INTO assignments
        (queue_id, project_id, task_id, contributor_id, vendor_id, status, leased_at, lease_expires_at)
      SELECT :queue_id, :project_id, bumped.id, :contributor_id, :vendor_id, 'leased', :now, :expires
      FROM bumped
      RETURNING id, task_id
    )
    SELECT leased.id AS assignment_id, leased.task_id, bumped.data FROM leased JOIN bumped ON bumped.id = leased.task_id
    """,
    times=("now", "expires"),
    json_cols=("data",),
)
PICK_SQLITE = _sql(
    f"""
    UPDATE tasks SET assigned_count = assigned_count + 1
    WHERE id = (
      SELECT t.id FROM tasks t WHERE {_CLAIM_FILTER}
      ORDER BY t.rank, t.due_at NULLS LAST, t.id LIMIT 1
    )
    RETURNING id AS task_id, data
    """,
    json_cols=("data",),
)
INSERT_LEASE = _sql(
    """
    INSERT INTO assignments
      (queue_id, project_id, task_id, contributor_id, vendor_id, status, leased_at, lease_expires_at)
    VALUES (:queue_id, :project_id, :task_id, :contributor_id, :vendor_id, 'leased', :now, :expires)
    RETURNING id
    """,
    times=("now", "expires"),
)


async def claim_task(
    session: AsyncSession,
    *,
    queue_id: int,
    project_id: int,
    contributor_id: int,
    vendor_id: int | None,
    gold: bool,
    now: datetime,
    expires: datetime,
) -> dict[str, Any] | None:
    """Lease the best open task this contributor never had: highest priority, then earliest due, then oldest."""
    params = {
        "queue_id": queue_id,
        "project_id": project_id,
        "contributor_id": contributor_id,
        "vendor_id": vendor_id,
        "gold": gold,
        "now": now,
        "expires": expires,
    }
    if dialect_of(session) == "postgresql":
        row = (await session.execute(CLAIM_PG, params)).mappings().first()
        return dict(row) if row is not None else None
    picked = (await session.execute(PICK_SQLITE, params)).mappings().first()
    if picked is None:
        return None
    assignment_id = (
        await session.execute(INSERT_LEASE, {**params, "task_id": picked["task_id"]})
    ).scalar_one()
    return {"assignment_id": assignment_id, "task_id": picked["task_id"], "data": picked["data"]}


REMAINING_FOR = text(
    """
    SELECT EXISTS (
      SELECT 1 FROM tasks t
      WHERE t.project_id = :project_id AND t.completed_count < t.overlap
        AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.task_id = t.id AND x.contributor_id = :contributor_id)
    )
    """
)


async def work_remains_for(session: AsyncSession, *, project_id: int, contributor_id: int) -> bool:
    """Unfinished tasks this contributor never had (all currently leased by others, since none was claimable)."""
    result = await session.execute(
        REMAINING_FOR, {"project_id": project_id, "contributor_id": contributor_id}
    )
    return bool(result.scalar())


ASSIGNMENT_CONTEXT = _sql(
    """
    SELECT a.id, a.status, a.lease_expires_at, a.task_id, a.project_id, a.queue_id, a.vendor_id,
           p.label_schema, p.content_severity, p.min_quality, p.review_ratio, p.sla_turnaround_hours,
           p.auto_revoke_on_drift, p.lease_seconds, p.required_qualification,
           t.is_gold, t.gold_answer, t.created_at AS task_created_at, t.due_at,
           cp.timezone
    FROM assignments a
    JOIN projects p ON p.id = a.project_id
    JOIN tasks t ON t.id = a.task_id
    LEFT JOIN contributor_profiles cp ON cp.contributor_id = a.contributor_id
    WHERE a.id = :assignment_id AND a.contributor_id = :contributor_id
    """,
    json_cols=("label_schema", "gold_answer"),
    out_times=("lease_expires_at", "task_created_at", "due_at"),
    bools=("is_gold", "auto_revoke_on_drift"),
)


async def assignment_context(
    session: AsyncSession, *, assignment_id: int, contributor_id: int
) -> dict | None:
    """The caller's own assignment with what submitting needs; another contributor's is not found."""
    result = await session.execute(
        ASSIGNMENT_CONTEXT, {"assignment_id": assignment_id, "contributor_id": contributor_id}
    )
    row = result.mappings().first()
    return dict(row) if row is not None else None


EXTEND_LEASE = _sql(
    """
    UPDATE assignments SET lease_expires_at = :expires
    WHERE id = :assignment_id AND contributor_id = :contributor_id AND status = 'leased' AND lease_expires_at >= :now
    RETURNING lease_expires_at
    """,
    times=("now", "expires"),
    out_times=("lease_expires_at",),
)


async def extend_lease(
    session: AsyncSession, *, assignment_id: int, contributor_id: int, now: datetime, expires: datetime
) -> datetime | None:
    result = await session.execute(
        EXTEND_LEASE,
        {"assignment_id": assignment_id, "contributor_id": contributor_id, "now": now, "expires": expires},
    )
    return result.scalar()


FINISH_LEASE = _sql(
    """
    UPDATE assignments SET status = :status, finished_at = :now
    WHERE id = :assignment_id AND contributor_id = :contributor_id AND status = 'leased' AND lease_expires_at >= :now
    RETURNING task_id
    """,
    times=("now",),
)


async def finish_lease(
    session: AsyncSession, *, assignment_id: int, contributor_id: int, status: str, now: datetime
) -> int | None:
    """Close a live lease as `submitted` or `released`; None when it was not live any more."""
    result = await session.execute(
        FINISH_LEASE,
        {"assignment_id": assignment_id, "contributor_id": contributor_id, "status": status, "now": now},
    )
    return result.scalar()


async def give_back_capacity(session: AsyncSession, *, task_id: int, completed_too: bool = False) -> None:
    if completed_too:
        await session.execute(
            text(
                "UPDATE tasks SET assigned_count = assigned_count - 1, completed_count = completed_count - 1,"
                " completed_at = NULL, final_answer = NULL WHERE id = :task_id"
            ),
            {"task_id": task_id},
        )
    else:
        await session.execute(GIVE_BACK, {"task_id": task_id, "n": 1})


COMPLETE_ONE = _sql(
    """
    UPDATE tasks SET completed_count = completed_count + 1,
      completed_at = CASE WHEN completed_count + 1 >= overlap THEN :now ELSE completed_at END
    WHERE id = :task_id
    RETURNING completed_count, overlap
    """,
    times=("now",),
)


async def count_completion(session: AsyncSession, *, task_id: int, now: datetime) -> tuple[int, int]:
    row = (await session.execute(COMPLETE_ONE, {"task_id": task_id, "now": now})).one()
    return int(row[0]), int(row[1])


INSERT_SUBMISSION = _sql(
    """
    INSERT INTO submissions
      (assignment_id, task_id, project_id, contributor_id, vendor_id, answer, time_spent_seconds, is_gold,
       gold_correct, on_time, outcome, review_state, created_at, decided_at)
    VALUES (:assignment_id, :task_id, :project_id, :contributor_id, :vendor_id, :answer, :time_spent_seconds,
            :is_gold, :gold_correct, :on_time, :outcome, :review_state, :now, :decided_at)
    RETURNING id
    """,
    times=("now", "decided_at"),
).bindparams(bindparam("answer", type_=JSON()))


async def insert_submission(session: AsyncSession, **values: Any) -> int:
    return (await session.execute(INSERT_SUBMISSION, values)).scalar_one()


async def upsert_quality(
    session: AsyncSession, *, project_id: int, contributor_id: int, correct: bool
) -> tuple[int, int, bool]:
    result = await session.execute(
        text(
            """
            INSERT INTO contributor_quality (project_id, contributor_id, gold_total, gold_correct, drifted)
            VALUES (:project_id, :contributor_id, 1, :correct, false)
            ON CONFLICT (project_id, contributor_id) DO UPDATE SET
              gold_total = contributor_quality.gold_total + 1,
              gold_correct = contributor_quality.gold_correct + excluded.gold_correct
            RETURNING gold_total, gold_correct, drifted
            """
        ),
        {"project_id": project_id, "contributor_id": contributor_id, "correct": int(correct)},
    )
    total, right, drifted = result.one()
    return int(total), int(right), bool(drifted)


async def mark_drifted(session: AsyncSession, *, project_id: int, contributor_id: int, drifted: bool) -> None:
    await session.execute(
        text(
            "UPDATE contributor_quality SET drifted = :drifted"
            " WHERE project_id = :project_id AND contributor_id = :contributor_id"
        ).bindparams(bindparam("drifted", type_=Boolean())),
        {"project_id": project_id, "contributor_id": contributor_id, "drifted": drifted},
    )


async def add_exposure(
    session: AsyncSession, *, contributor_id: int, day: str, severity: str, seconds: int
) -> None:
    await session.execute(
        text(
            """
            INSERT INTO daily_exposure (contributor_id, day, severity, seconds)
            VALUES (:contributor_id, :day, :severity, :seconds)
            ON CONFLICT (contributor_id, day, severity) DO UPDATE
              SET seconds = daily_exposure.seconds + excluded.seconds
            """
        ),
        {"contributor_id": contributor_id, "day": day, "severity": severity, "seconds": seconds},
    )
