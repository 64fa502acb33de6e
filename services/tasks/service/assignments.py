"""Leased assignment: next, heartbeat, release, submit — the hot path, on the driver connection.

On PostgreSQL these run as autocommit statements (each one atomic, the invariants in constraints); a
submit that publishes events wraps its writes in one transaction so the outbox rows commit with them.
On SQLite each operation is one write transaction.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from services.tasks import metrics
from services.tasks.events import publisher
from services.tasks.repository import assignments as repo
from services.tasks.rules.eligibility import (
    ProfileFacts,
    ProjectRules,
    ineligibility,
    local_day,
    local_day_start,
    seconds_to_local_midnight,
    wellness_minutes_left,
)
from services.tasks.rules.label_schema import answer_errors, comparable
from services.tasks.rules.transitions import review_sampled
from services.tasks.schemas.assignments import SubmissionCreate
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.idempotency import StoredResponse, fingerprint_of, replay_of
from shared.rawsql import RawConnection

COUNTER_SHARDS = 8
RETRY_EXHAUSTED = 300
RETRY_NOT_ELIGIBLE = 3600


@dataclass(frozen=True)
class NoWork:
    """A 204 answer to `next`: why there is nothing and when to ask again."""

    reason: str
    retry_after: int


class LeaseRace(Exception):
    """The same contributor leased concurrently; the other request holds the lease (answered as 204)."""


# The unique indexes that two concurrent `next` calls of one contributor can both try to fill. Only
# PostgreSQL names them: SQLite serialises writers, so a clash there is never such a race.
LEASE_RACE_CONSTRAINTS = frozenset({"uq_assignments_live_lease_slot", "uq_assignments_task_contributor"})


def is_lease_race(exc: IntegrityError) -> bool:
    """A clash on a lease index is the caller's own concurrent call; any other integrity error is a
    fault to log and answer as one, never a queue reason that would quietly stop the queue."""
    return getattr(exc.orig, "constraint_name", None) in LEASE_RACE_CONSTRAINTS


def _contributor_id(principal: Principal) -> int:
    if principal.contributor_id is None:
        raise Forbidden("this user is not linked to a contributor")
    return principal.contributor_id


def _lease_out(
    assignment_id: int, task_id: int, data: Any, expires: datetime, **extra: Any
) -> dict[str, Any]:
    return {
        "assignment_id": assignment_id,
        "task": {"id": task_id, "data": data},
        "lease_expires_at": expires,
        **extra,
    }


@asynccontextmanager
async def _unit(connection: RawConnection, *, atomic: bool = False) -> AsyncIterator[None]:
    """One operation's writes: a transaction on SQLite (writers serialise on its lock) or when the
    statements must commit together; otherwise PostgreSQL autocommits each (atomic) statement."""
    if atomic or connection.dialect != "postgresql":
        async with connection.transaction():
            yield
    else:
        yield


async def lease_next_task(
    connection: RawConnection, *, principal: Principal, queue_id: int
) -> dict[str, Any] | NoWork:
    """Lease the best task the caller may do now, or say why there is none (a held lease is returned again)."""
    contributor_id = _contributor_id(principal)
    now = utcnow()
    # Decides gold or not before the context is read: on PostgreSQL the same statement may claim.
    draw = random.random()
    async with _unit(connection):
        try:
            ctx = await repo.lease_context(
                connection,
                queue_id=queue_id,
                contributor_id=contributor_id,
                role="labeler",
                now=now,
                draw=draw,
            )
        except IntegrityError as exc:
            if is_lease_race(exc):
                raise LeaseRace() from exc
            raise
        if ctx is None:
            raise NotFound(f"queue {queue_id} not found")
        if ctx["reclaimed"]:
            metrics.LEASE_EXPIRIES.inc(ctx["reclaimed"])
        if ctx["kind"] == "review":
            outcome = None
        else:
            outcome = await _lease_labeling_task(
                connection, ctx=ctx, contributor_id=contributor_id, now=now, draw=draw
            )
    if outcome is None:
        from services.tasks.service.reviews import lease_next_review

        async with connection.orm_session() as session:
            return await lease_next_review(session, principal=principal, queue_id=queue_id, now=now)
    return outcome


async def _lease_labeling_task(
    connection: RawConnection, *, ctx: dict[str, Any], contributor_id: int, now: datetime, draw: float
) -> dict[str, Any] | NoWork:
    queue_id = ctx["queue_id"]
    # A suspension or a ban exists only where the caller (or its vendor) has worked: saying so tells it
    # nothing new. Any other queue it may not work on answers as if missing (no existence oracle).
    if ctx["vendor_suspended"]:
        raise Forbidden(f"your vendor is suspended on project {ctx['project_id']}")
    if ctx["banned"]:
        raise Forbidden(f"a quality rule suspended you on queue {queue_id}")
    if not ctx["permitted"]:
        raise NotFound(f"queue {queue_id} not found")
    if ctx["project_status"] != "active":
        return NoWork("exhausted", RETRY_EXHAUSTED)
    cap = ctx["max_live_leases"]
    if cap == 1 and ctx["lease_id"] is not None and ctx["lease_expires_at"] >= now:
        # A repeated `next` (a lost response, a reload) gets the lease it already holds.
        return _lease_out(ctx["lease_id"], ctx["lease_task_id"], ctx["lease_data"], ctx["lease_expires_at"])
    if ctx["live_leases"] >= cap:
        return NoWork("lease_limit", _retry_while_leased(ctx))
    if ctx["profile_id"] is None:
        return NoWork("not_eligible", RETRY_NOT_ELIGIBLE)
    profile = ProfileFacts(
        status=ctx["contributor_status"],
        vendor_id=ctx["vendor_id"],
        languages=ctx["languages"] or [],
        skills=ctx["skills"] or [],
        qualifications=ctx["qualifications"] or [],
        daily_caps_minutes=ctx["daily_caps_minutes"] or {},
        opted_out_harmful=bool(ctx["opted_out_harmful"]),
        timezone=ctx["timezone"] or "UTC",
        erased=bool(ctx["erased"]),
        vetting=ctx["vetting"],
    )
    rules = ProjectRules(
        required_languages=ctx["required_languages"] or [],
        required_skills=ctx["required_skills"] or [],
        required_qualification=ctx["required_qualification"],
        required_qualification_score=ctx["required_qualification_score"],
        content_severity=ctx["content_severity"],
        vetted_staff_only=bool(ctx["vetted_staff_only"]),
    )
    if ineligibility(profile, rules, now=now) is not None:
        if ctx["claimed_id"] is not None:
            await repo.undo_claim(connection, assignment_id=ctx["claimed_id"])
        return NoWork("not_eligible", RETRY_NOT_ELIGIBLE)
    if ctx["claimed_id"] is not None:
        return _lease_out(
            ctx["claimed_id"], ctx["claimed_task_id"], ctx["claimed_data"], ctx["claimed_expires_at"]
        )
    severity = ctx["content_severity"]
    if severity != "none":
        seconds = await repo.exposure_seconds(
            connection, contributor_id=contributor_id, day=local_day(now, profile.timezone), severity=severity
        )
        left = wellness_minutes_left(profile.daily_caps_minutes, severity, seconds)
        if left is not None and left <= 0:
            return NoWork("wellness_cap", seconds_to_local_midnight(now, profile.timezone))
    quota = ctx["daily_quota"]
    if quota is not None:
        answered = await repo.answers_since(
            connection,
            contributor_id=contributor_id,
            project_id=ctx["project_id"],
            since=local_day_start(now, profile.timezone),
        )
        if answered >= quota:
            return NoWork("daily_quota", seconds_to_local_midnight(now, profile.timezone))
    expires = now + timedelta(seconds=ctx["lease_seconds"])
    prefer_gold = draw < ctx["gold_ratio"]
    # The context's own claim already looked for the preferred kind (unless its reclaim freed tasks
    # that statement could not take).
    kinds = (
        (not prefer_gold,) if ctx["claim_tried"] and not ctx["reclaimed"] else (prefer_gold, not prefer_gold)
    )
    claimed = None
    try:
        for gold in kinds:
            if gold and ctx["gold_ratio"] <= 0:
                continue
            claimed = await repo.claim_task(
                connection,
                queue_id=queue_id,
                project_id=ctx["project_id"],
                contributor_id=contributor_id,
                vendor_id=profile.vendor_id,
                gold=gold,
                slot=ctx["free_slot"],
                now=now,
                expires=expires,
            )
            if claimed is not None:
                break
    except IntegrityError as exc:
        if is_lease_race(exc):
            raise LeaseRace() from exc
        raise
    if claimed is None:
        if await repo.work_remains_for(
            connection, project_id=ctx["project_id"], contributor_id=contributor_id
        ):
            return NoWork("all_leased", _retry_while_leased(ctx))
        return NoWork("exhausted", RETRY_EXHAUSTED)
    return _lease_out(claimed["assignment_id"], claimed["task_id"], claimed["data"], expires)


def _retry_while_leased(ctx: dict[str, Any]) -> int:
    """Leases end by a submit, a release or expiry: ask again in a fraction of a lease."""
    return max(1, min(30, ctx["lease_seconds"] // 4))


async def heartbeat(connection: RawConnection, *, principal: Principal, assignment_id: int) -> dict[str, Any]:
    """Extend a live lease by the project's lease length."""
    contributor_id = _contributor_id(principal)
    ctx = await _own_assignment(connection, contributor_id=contributor_id, assignment_id=assignment_id)
    now = utcnow()
    expires = await repo.extend_lease(
        connection,
        assignment_id=assignment_id,
        contributor_id=contributor_id,
        now=now,
        expires=now + timedelta(seconds=ctx["lease_seconds"]),
    )
    if expires is None:
        raise Conflict(f"assignment {assignment_id} has no live lease (it is {_state(ctx, now)})")
    return {"assignment_id": assignment_id, "lease_expires_at": expires}


async def release(connection: RawConnection, *, principal: Principal, assignment_id: int) -> None:
    """Give a leased task back to the queue (the contributor will not be offered it again)."""
    contributor_id = _contributor_id(principal)
    ctx = await _own_assignment(connection, contributor_id=contributor_id, assignment_id=assignment_id)
    now = utcnow()
    async with _unit(connection):
        task_id = await repo.release_lease(
            connection, assignment_id=assignment_id, contributor_id=contributor_id, now=now
        )
    if task_id is None:
        raise Conflict(f"assignment {assignment_id} has no live lease (it is {_state(ctx, now)})")
    metrics.ASSIGNMENTS.labels(outcome="released").inc()


def _state(ctx: dict[str, Any], now: datetime) -> str:
    if ctx["status"] == "leased" and ctx["lease_expires_at"] < now:
        return "expired"
    return ctx["status"]


async def _own_assignment(
    connection: RawConnection,
    *,
    contributor_id: int,
    assignment_id: int,
    scope: str = "",
    key: str | None = None,
) -> dict[str, Any]:
    ctx = await repo.assignment_context(
        connection, assignment_id=assignment_id, contributor_id=contributor_id, scope=scope, key=key
    )
    if ctx is None:
        raise NotFound(f"assignment {assignment_id} not found")
    return ctx


async def submit(
    connection: RawConnection,
    *,
    principal: Principal,
    assignment_id: int,
    data: SubmissionCreate,
    idempotency_key: str | None,
) -> tuple[int, dict[str, Any]]:
    """Record the answer of a live lease (once per Idempotency-Key), score gold, count, and tell wellness."""
    contributor_id = _contributor_id(principal)
    scope = f"submit:{contributor_id}:{assignment_id}"
    fingerprint = fingerprint_of(data.model_dump(mode="json"))
    ctx = await _own_assignment(
        connection,
        contributor_id=contributor_id,
        assignment_id=assignment_id,
        scope=scope,
        key=idempotency_key,
    )
    if ctx["replay_fingerprint"] is not None:
        stored = replay_of(ctx["replay_fingerprint"], ctx["replay_status"], ctx["replay_body"], fingerprint)
        return stored.status_code, stored.body
    now = utcnow()
    if ctx["status"] != "leased" or ctx["lease_expires_at"] < now:
        raise Conflict(f"assignment {assignment_id} cannot take an answer: it is {_state(ctx, now)}")
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
        async with _unit(connection, atomic=may_publish):
            recorded = await repo.record_submission(
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
            return stored.status_code, stored.body
        raise Conflict(f"assignment {assignment_id} cannot take an answer any more")
    metrics.ASSIGNMENTS.labels(outcome="submitted").inc()
    return 201, {"id": recorded["id"], **response}


async def _stored(
    connection: RawConnection, *, scope: str, key: str | None, fingerprint: str
) -> StoredResponse | None:
    if key is None:
        return None
    row = await repo.stored_response(connection, scope=scope, key=key)
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
                await publisher.publish_raw(
                    connection, "sla.breached", {"project_id": project_id, "task_id": ctx["task_id"]}
                )
        await publisher.publish_raw(
            connection, "task.completed", {"project_id": project_id, "task_id": ctx["task_id"]}
        )
    if recorded["gold_total"] is not None:
        await _check_drift(connection, ctx=ctx, recorded=recorded, contributor_id=contributor_id)
    severity = ctx["content_severity"]
    # Only exposure feeds wellness; severity "none" is never capped or counted, so it is not reported.
    if severity != "none":
        await publisher.publish_raw(
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
    flipped = await repo.mark_drifted(
        connection, project_id=ctx["project_id"], contributor_id=contributor_id, drifted=below
    )
    if flipped and below:
        await publisher.publish_raw(
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
