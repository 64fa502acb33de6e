"""Submitting in the assignment loop: record the answer of a live lease once, and what follows from it.

A submit that publishes events wraps its writes in one transaction so the outbox rows commit with them;
otherwise each statement autocommits on PostgreSQL (one write transaction on SQLite).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from services.tasks import metrics
from services.tasks.assignment import queries
from services.tasks.assignment.leasing import contributor_of, own_assignment, state_of, still_answerable, unit
from services.tasks.assignment.schemas import SubmissionCreate, SubmissionRead
from services.tasks.events import publisher
from services.tasks.models import COUNTER_SHARDS
from services.tasks.rules.label_schema import answer_errors, comparable
from services.tasks.rules.transitions import review_sampled
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, Unprocessable
from shared.idempotency import StoredResponse, fingerprint_of, replay_of
from shared.localtime import local_day
from shared.rawsql import RawConnection


async def submit(
    connection: RawConnection,
    *,
    principal: Principal,
    assignment_id: int,
    data: SubmissionCreate,
    idempotency_key: str | None,
) -> tuple[int, dict[str, Any]]:
    """Record the answer of a live lease (once per Idempotency-Key), score gold, count, and tell wellness."""
    contributor_id = contributor_of(principal)
    scope = f"submit:{contributor_id}:{assignment_id}"
    fingerprint = fingerprint_of(data.model_dump(mode="json"))
    ctx = await own_assignment(
        connection,
        contributor_id=contributor_id,
        assignment_id=assignment_id,
        scope=scope,
        key=idempotency_key,
    )
    if ctx["replay_fingerprint"] is not None:
        stored = replay_of(ctx["replay_fingerprint"], ctx["replay_status"], ctx["replay_body"], fingerprint)
        return stored.status_code, _as_answered(stored.body)
    now = utcnow()
    if ctx["status"] != "leased" or ctx["lease_expires_at"] < now:
        raise Conflict(f"assignment {assignment_id} cannot take an answer: it is {state_of(ctx, now)}")
    still_answerable(ctx, assignment_id)
    problems = answer_errors(ctx["label_schema"], data.answer)
    if problems:
        raise Unprocessable("answer does not fit the project's label schema", errors=problems)
    gold_correct = None
    if ctx["is_gold"]:
        gold_correct = comparable(data.answer) == comparable(ctx["gold_answer"])
    reviewed = review_sampled(ctx["task_id"], ctx["review_ratio"])
    answered_on_time = _on_time(ctx, now)
    outcome = "pending_review" if reviewed else "accepted"
    severity = ctx["content_severity"]
    response = {
        "assignment_id": assignment_id,
        "task_id": ctx["task_id"],
        "outcome": outcome,
        "gold_correct": gold_correct,
        "created_at": now.isoformat(),
    }
    # Events commit with the submission (outbox); without any, each statement can autocommit alone.
    may_publish = (
        (severity != "none" and publisher.publishes("submission.recorded"))
        or (gold_correct is not None and ctx["min_quality"] is not None)
        or publisher.publishes("task.completed")
        or (answered_on_time is False and publisher.publishes("sla.breached"))
    )
    try:
        async with unit(connection, atomic=may_publish):
            recorded = await queries.record_submission(
                connection,
                assignment_id=assignment_id,
                project_id=ctx["project_id"],
                contributor_id=contributor_id,
                vendor_id=ctx["vendor_id"],
                answer=data.answer,
                time_spent_seconds=data.time_spent_seconds,
                is_gold=bool(ctx["is_gold"]),
                gold_correct=gold_correct,
                on_time=answered_on_time,
                outcome=outcome,
                review_state="pending" if reviewed else "none",
                now=now,
                decided_at=None if reviewed else now,
                shard=contributor_id % COUNTER_SHARDS,
                scope=scope,
                key=idempotency_key,
                fingerprint=fingerprint,
                response=response,
                severity=severity,
                day=local_day(now, ctx["timezone"] or "UTC"),
            )
            if recorded is not None:
                await _after_recording(
                    connection,
                    ctx=ctx,
                    recorded=recorded,
                    contributor_id=contributor_id,
                    data=data,
                    now=now,
                    on_time=answered_on_time,
                )
    except IntegrityError:
        recorded = None  # a concurrent retry with the same key stored its response first
    if recorded is None:
        # The lease closed between our read and our write: a concurrent replay, or it expired.
        stored = await _stored(connection, scope=scope, key=idempotency_key, fingerprint=fingerprint)
        if stored is not None:
            return stored.status_code, _as_answered(stored.body)
        raise Conflict(f"assignment {assignment_id} cannot take an answer any more")
    metrics.ASSIGNMENTS.labels(outcome="submitted").inc()
    return 201, {"id": recorded["id"], **response}


def _as_answered(body: dict[str, Any]) -> dict[str, Any]:
    """A stored response in the order it was first answered (PostgreSQL's jsonb keeps keys its own way),
    so a replay is byte for byte the original."""
    return {name: body[name] for name in SubmissionRead.model_fields}


async def _stored(
    connection: RawConnection, *, scope: str, key: str | None, fingerprint: str
) -> StoredResponse | None:
    if key is None:
        return None
    row = await queries.stored_response(connection, scope=scope, key=key)
    if row is None:
        return None
    return replay_of(row["fingerprint"], row["status_code"], row["response"], fingerprint)


async def _after_recording(
    connection: RawConnection,
    *,
    ctx: dict[str, Any],
    recorded: dict[str, Any],
    contributor_id: int,
    data: SubmissionCreate,
    now: datetime,
    on_time: bool | None,
) -> None:
    """What follows a stored submission: turnaround and SLA when the task is done, drift, wellness."""
    project_id = ctx["project_id"]
    if recorded["task_done"]:
        if on_time is not None:
            metrics.observe_turnaround(ctx, now, on_time)
            if not on_time:
                await publisher.publish(
                    connection, "sla.breached", {"project_id": project_id, "task_id": ctx["task_id"]}
                )
        await publisher.publish(
            connection, "task.completed", {"project_id": project_id, "task_id": ctx["task_id"]}
        )
    if recorded["gold_total"] is not None:
        await _check_drift(connection, ctx=ctx, recorded=recorded, contributor_id=contributor_id)
    severity = ctx["content_severity"]
    # Only exposure feeds wellness; severity "none" is never capped or counted, so it is not reported.
    if severity != "none":
        await publisher.publish(
            connection,
            "submission.recorded",
            {
                "contributor_id": contributor_id,
                "project_id": project_id,
                "severity": severity,
                "seconds": data.time_spent_seconds,
                "submitted_at": now.isoformat(),
            },
        )


def _on_time(ctx: dict[str, Any], now: datetime) -> bool | None:
    """Turnaround from import to final within the project's SLA (or the task's own due time)."""
    if ctx["due_at"] is not None:
        return now <= ctx["due_at"]
    hours = ctx["sla_turnaround_hours"]
    if hours is None:
        return None
    return now - ctx["task_created_at"] <= timedelta(hours=hours)


async def _check_drift(
    connection: RawConnection, *, ctx: dict[str, Any], recorded: dict[str, Any], contributor_id: int
) -> None:
    """Gold accuracy falling below min_quality emits quality.drift once; recovering clears the flag."""
    min_quality = ctx["min_quality"]
    if min_quality is None:
        return
    accuracy = recorded["gold_right"] / recorded["gold_total"]
    below = accuracy < min_quality
    if below == bool(recorded["drifted"]):
        return
    flipped = await queries.mark_drifted(
        connection, project_id=ctx["project_id"], contributor_id=contributor_id, drifted=below
    )
    if flipped and below:
        await publisher.publish(
            connection,
            "quality.drift",
            {
                "contributor_id": contributor_id,
                "project_id": ctx["project_id"],
                "accuracy": accuracy,
                "min_quality": min_quality,
                "qualification": ctx["required_qualification"],
            },
        )
