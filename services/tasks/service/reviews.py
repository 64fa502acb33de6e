"""Review: reviewers lease pending submissions and accept, reject (optionally requeue) or correct them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.assignment.preconditions import NoWork
from services.tasks.models import COUNTER_SHARDS
from services.tasks.repository import reviews as repo
from services.tasks.repository.projects import add_to_counters
from services.tasks.rules.label_schema import answer_errors
from services.tasks.schemas.reviews import ReviewCreate
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable


async def lease_next_review(session: AsyncSession, *, principal: Principal, queue_id: int, now: datetime):
    """Lease the oldest pending submission of someone else's to the reviewer."""
    reviewer_id = principal.contributor_id
    ctx = await repo.reviewer_context(session, queue_id=queue_id, reviewer_id=reviewer_id, now=now)
    if ctx is None:
        raise NotFound(f"queue {queue_id} not found")
    # As on the labeling queue (assignment/preconditions.py): a suspension is news only to whom it concerns.
    if ctx["vendor_suspended"]:
        raise Forbidden(f"your vendor is suspended on project {ctx['project_id']}")
    if not ctx["permitted"]:
        raise NotFound(f"queue {queue_id} not found")
    if ctx["project_status"] not in ("active", "paused"):
        return NoWork("exhausted", 300)
    expires = now + timedelta(seconds=ctx["lease_seconds"])
    row = await repo.lease_review(
        session, project_id=ctx["project_id"], reviewer_id=reviewer_id, now=now, expires=expires
    )
    if row is None:
        return NoWork("exhausted", 60)
    return {
        "assignment_id": row["id"],
        "submission_id": row["id"],
        "task": {"id": row["task_id"], "data": await _task_data(session, row["task_id"])},
        "answer": row["answer"],
        "lease_expires_at": row["review_lease_expires_at"],
    }


async def _task_data(session: AsyncSession, task_id: int) -> Any:
    from sqlalchemy import JSON, text

    stmt = text("SELECT data FROM tasks WHERE id = :id").columns(data=JSON())
    return (await session.execute(stmt, {"id": task_id})).scalar_one()


async def record_review(session: AsyncSession, *, principal: Principal, data: ReviewCreate) -> dict[str, Any]:
    """Apply a verdict: accept keeps the answer, correct replaces the final label, reject can requeue the task."""
    reviewer_id = principal.contributor_id
    if reviewer_id is None:
        raise Forbidden("this user is not linked to a contributor")
    now = utcnow()
    sub = await repo.submission_for_review(session, submission_id=data.submission_id)
    if sub is None or not await repo.has_review_permission(
        session, project_id=sub["project_id"], reviewer_id=reviewer_id, now=now
    ):
        raise NotFound(f"submission {data.submission_id} not found")
    if sub["contributor_id"] == reviewer_id:
        raise Forbidden("nobody reviews their own submission")
    if sub["review_state"] not in ("pending", "leased"):
        raise Conflict(f"submission {data.submission_id} is not awaiting review")
    if data.verdict == "correct":
        if data.answer is None:
            raise Unprocessable(
                "a correction needs an answer",
                errors=[
                    {"pointer": "/answer", "field": "answer", "in": "body", "detail": "required for correct"}
                ],
            )
        problems = answer_errors(sub["label_schema"], data.answer)
        if problems:
            raise Unprocessable("answer does not fit the project's label schema", errors=problems)
    outcome = "rejected" if data.verdict == "reject" else "accepted"
    if not await repo.decide(
        session, submission_id=sub["id"], reviewer_id=reviewer_id, outcome=outcome, now=now
    ):
        raise Conflict(f"submission {data.submission_id} was reviewed concurrently")
    requeued = data.verdict == "reject" and data.requeue
    if requeued:
        await requeue_rejected(
            session, project_id=sub["project_id"], task_id=sub["task_id"], shard=reviewer_id % COUNTER_SHARDS
        )
    if data.verdict == "correct":
        await repo.set_final_answer(session, task_id=sub["task_id"], answer=data.answer)
    await add_to_counters(
        session,
        project_id=sub["project_id"],
        shard=reviewer_id % COUNTER_SHARDS,
        accepted=int(outcome == "accepted"),
        rejected=int(outcome == "rejected"),
    )
    review_id = await repo.insert_review(
        session,
        submission_id=sub["id"],
        reviewer_id=reviewer_id,
        verdict=data.verdict,
        answer=data.answer,
        comment=data.comment,
        requeued=requeued,
        now=now,
    )
    return {
        "id": review_id,
        "submission_id": sub["id"],
        "verdict": data.verdict,
        "requeued": requeued,
        "created_at": now,
    }


async def uncount_completion(session: AsyncSession, *, project_id: int, task_id: int, shard: int) -> None:
    """Take a finished task that opens again out of the project's completed and on-time/late totals."""
    on_time = await repo.completing_on_time(session, task_id=task_id)
    deltas = {"tasks_completed": -1}
    if on_time is not None:
        deltas["on_time" if on_time else "late"] = -1
    await add_to_counters(session, project_id=project_id, shard=shard, **deltas)


async def requeue_rejected(session: AsyncSession, *, project_id: int, task_id: int, shard: int) -> None:
    """A rejected answer stops counting towards its task's overlap, so someone else redoes it.

    A task it had finished is open again, so it leaves the completed totals until it finishes anew.
    """
    completed, overlap = await repo.lock_task_completion(session, task_id=task_id)
    if completed >= overlap:
        await uncount_completion(session, project_id=project_id, task_id=task_id, shard=shard)
    await repo.requeue_reviewed_task(session, task_id=task_id)
