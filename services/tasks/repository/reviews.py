"""Queries of the review queue: pending submissions leased to reviewers, verdicts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.assignment.preconditions import caller_languages
from services.tasks.repository import typed_sql
from shared.db import dialect_of

REVIEWER_CONTEXT = typed_sql(
    """
    SELECT q.project_id, p.status AS project_status, p.lease_seconds,
      EXISTS (
        SELECT 1 FROM queue_permissions g
        WHERE g.queue_id = q.id AND g.revoked_at IS NULL AND g.suspended = false AND g.role = 'reviewer'
          AND (g.expires_at IS NULL OR g.expires_at > :now)
          AND (g.contributor_id = :reviewer_id OR (g.vendor_id IS NOT NULL AND g.vendor_id = cp.vendor_id)
               OR (g.crowd AND cp.contributor_id IS NOT NULL AND cp.vendor_id IS NULL))
      ) AS permitted,
      EXISTS (
        SELECT 1 FROM vendor_suspensions s WHERE s.project_id = q.project_id AND s.vendor_id = cp.vendor_id
      ) AS vendor_suspended
    FROM queues q JOIN projects p ON p.id = q.project_id
    LEFT JOIN contributor_profiles cp ON cp.contributor_id = :reviewer_id
    WHERE q.id = :queue_id AND q.kind = 'review'
    """,
    times=("now",),
    bools=("permitted", "vendor_suspended"),
)


async def reviewer_context(
    session: AsyncSession, *, queue_id: int, reviewer_id: int, now: datetime
) -> dict | None:
    row = (
        (
            await session.execute(
                REVIEWER_CONTEXT, {"queue_id": queue_id, "reviewer_id": reviewer_id, "now": now}
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


# Answers to review: pending (or leased to this reviewer, or whose review lease ran out), not the
# reviewer's own, on tasks in a language the reviewer may take (as a labeler would: preconditions.py).
_PENDING = f"""
    s.project_id = :project_id AND s.review_state IN ('pending', 'leased') AND s.contributor_id <> :reviewer_id
    AND (s.review_state = 'pending' OR s.review_lease_expires_at < :now OR s.reviewer_id = :reviewer_id)
    AND (SELECT t.language FROM tasks t WHERE t.id = s.task_id) IN (
      {caller_languages(":project_id").replace(":contributor_id", ":reviewer_id")})
"""
LEASE_REVIEW_PG = typed_sql(
    f"""
    UPDATE submissions SET review_state = 'leased', reviewer_id = :reviewer_id, review_lease_expires_at = :expires
    WHERE id = (SELECT s.id FROM submissions s WHERE {_PENDING}
                ORDER BY (s.reviewer_id = :reviewer_id) DESC, s.id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id, task_id, answer, review_lease_expires_at
    """,
    times=("now", "expires"),
    json_cols=("answer",),
    out_times=("review_lease_expires_at",),
)
LEASE_REVIEW_SQLITE = typed_sql(
    f"""
    UPDATE submissions SET review_state = 'leased', reviewer_id = :reviewer_id, review_lease_expires_at = :expires
    WHERE id = (SELECT s.id FROM submissions s WHERE {_PENDING}
                ORDER BY (s.reviewer_id = :reviewer_id) DESC, s.id LIMIT 1)
    RETURNING id, task_id, answer, review_lease_expires_at
    """,
    times=("now", "expires"),
    json_cols=("answer",),
    out_times=("review_lease_expires_at",),
)


async def lease_review(
    session: AsyncSession, *, project_id: int, reviewer_id: int, now: datetime, expires: datetime
) -> dict[str, Any] | None:
    stmt = LEASE_REVIEW_PG if dialect_of(session) == "postgresql" else LEASE_REVIEW_SQLITE
    params = {"project_id": project_id, "reviewer_id": reviewer_id, "now": now, "expires": expires}
    row = (await session.execute(stmt, params)).mappings().first()
    return dict(row) if row else None


SUBMISSION_FOR_REVIEW = typed_sql(
    """
    SELECT s.id, s.task_id, s.project_id, s.contributor_id, s.outcome, s.review_state, s.reviewer_id,
           s.review_lease_expires_at, p.label_schema, p.status AS project_status
    FROM submissions s JOIN projects p ON p.id = s.project_id WHERE s.id = :submission_id
    """,
    json_cols=("label_schema",),
    out_times=("review_lease_expires_at",),
)


async def submission_for_review(session: AsyncSession, *, submission_id: int) -> dict | None:
    row = (await session.execute(SUBMISSION_FOR_REVIEW, {"submission_id": submission_id})).mappings().first()
    return dict(row) if row else None


async def has_review_permission(
    session: AsyncSession, *, project_id: int, reviewer_id: int, now: datetime
) -> bool:
    """A live reviewer grant on the project's review queue, for a reviewer whose vendor (if any) is not
    suspended on the project."""
    row = (
        await session.execute(
            typed_sql(
                """
                SELECT q.id FROM queues q WHERE q.project_id = :project_id AND q.kind = 'review'
                """
            ),
            {"project_id": project_id},
        )
    ).first()
    if row is None:
        return False
    ctx = await reviewer_context(session, queue_id=row[0], reviewer_id=reviewer_id, now=now)
    return bool(ctx and ctx["permitted"] and not ctx["vendor_suspended"])


DECIDE = typed_sql(
    """
    UPDATE submissions SET review_state = 'done', outcome = :outcome, decided_at = :now, reviewer_id = :reviewer_id
    WHERE id = :submission_id AND review_state IN ('pending', 'leased')
    RETURNING id
    """,
    times=("now",),
)


async def decide(
    session: AsyncSession, *, submission_id: int, reviewer_id: int, outcome: str, now: datetime
) -> bool:
    params = {"submission_id": submission_id, "reviewer_id": reviewer_id, "outcome": outcome, "now": now}
    return (await session.execute(DECIDE, params)).first() is not None


INSERT_REVIEW = typed_sql(
    """
    INSERT INTO reviews (submission_id, reviewer_id, verdict, answer, comment, requeued, created_at)
    VALUES (:submission_id, :reviewer_id, :verdict, :answer, :comment, :requeued, :now)
    RETURNING id
    """,
    times=("now",),
).bindparams(bindparam("answer", type_=JSON()))


async def insert_review(session: AsyncSession, **values: Any) -> int:
    return (await session.execute(INSERT_REVIEW, values)).scalar_one()


async def set_final_answer(session: AsyncSession, *, task_id: int, answer: Any) -> None:
    await session.execute(
        text("UPDATE tasks SET final_answer = :answer WHERE id = :task_id").bindparams(
            bindparam("answer", type_=JSON())
        ),
        {"task_id": task_id, "answer": answer},
    )


TASK_COMPLETION = "SELECT completed_count, overlap FROM tasks WHERE id = :task_id"


async def lock_task_completion(session: AsyncSession, *, task_id: int) -> tuple[int, int]:
    """(completed, overlap) of a task, locked on PostgreSQL so no submit completes it meanwhile."""
    sql = TASK_COMPLETION + (" FOR UPDATE" if dialect_of(session) == "postgresql" else "")
    row = (await session.execute(text(sql), {"task_id": task_id})).one()
    return int(row[0]), int(row[1])


async def completing_on_time(session: AsyncSession, *, task_id: int) -> bool | None:
    """On-time flag of the answer that finished the task: its latest one, as nothing is leased after it."""
    stmt = typed_sql(
        "SELECT on_time FROM submissions WHERE task_id = :task_id ORDER BY id DESC LIMIT 1",
        bools=("on_time",),
    )
    return (await session.execute(stmt, {"task_id": task_id})).scalar_one_or_none()


async def requeue_reviewed_task(session: AsyncSession, *, task_id: int) -> None:
    """A rejected answer's task goes back to the queue: one slot free again, no longer complete."""
    await session.execute(
        text(
            "UPDATE tasks SET assigned_count = assigned_count - 1, completed_count = completed_count - 1,"
            " completed_at = NULL, final_answer = NULL WHERE id = :task_id"
        ),
        {"task_id": task_id},
    )
