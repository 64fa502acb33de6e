"""Leased assignment: next, heartbeat, release, submit — the hot path, on Core SQL."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks import metrics
from services.tasks.events import publisher
from services.tasks.models import idempotency_keys
from services.tasks.repository import assignments as repo
from services.tasks.repository.projects import add_to_counters
from services.tasks.rules.eligibility import (
    ProfileFacts,
    ProjectRules,
    ineligibility,
    local_day,
    seconds_to_local_midnight,
    wellness_minutes_left,
)
from services.tasks.rules.label_schema import answer_errors, comparable
from services.tasks.rules.transitions import review_sampled
from services.tasks.schemas import SubmissionCreate
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.idempotency import claim_or_replay, remember_response

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


async def lease_next_task(
    session: AsyncSession, *, principal: Principal, queue_id: int
) -> dict[str, Any] | NoWork:
    """Lease the best task the caller may do now, or say why there is none (a held lease is returned again)."""
    contributor_id = _contributor_id(principal)
    now = utcnow()
    ctx = await repo.lease_context(
        session, queue_id=queue_id, contributor_id=contributor_id, role="labeler", now=now
    )
    if ctx is None:
        raise NotFound(f"queue {queue_id} not found")
    if ctx["kind"] == "review":
        from services.tasks.service.reviews import lease_next_review

        return await lease_next_review(session, principal=principal, queue_id=queue_id, now=now)
    if not ctx["permitted"]:
        raise Forbidden(f"no live permission on queue {queue_id}")
    if ctx["vendor_suspended"]:
        raise Forbidden(f"your vendor is suspended on project {ctx['project_id']}")
    if ctx["project_status"] != "active":
        return NoWork("exhausted", RETRY_EXHAUSTED)
    if ctx["lease_id"] is not None and ctx["lease_expires_at"] >= now:
        return _lease_out(ctx["lease_id"], ctx["lease_task_id"], ctx["lease_data"], ctx["lease_expires_at"])
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
    )
    rules = ProjectRules(
        required_languages=ctx["required_languages"] or [],
        required_skills=ctx["required_skills"] or [],
        required_qualification=ctx["required_qualification"],
        required_qualification_score=ctx["required_qualification_score"],
        content_severity=ctx["content_severity"],
    )
    if ineligibility(profile, rules, now=now) is not None:
        return NoWork("not_eligible", RETRY_NOT_ELIGIBLE)
    severity = ctx["content_severity"]
    if severity != "none":
        seconds = await repo.exposure_seconds(
            session, contributor_id=contributor_id, day=local_day(now, profile.timezone), severity=severity
        )
        left = wellness_minutes_left(profile.daily_caps_minutes, severity, seconds)
        if left is not None and left <= 0:
            return NoWork("wellness_cap", seconds_to_local_midnight(now, profile.timezone))
    expired = await repo.reclaim_expired_leases(session, now=now, queue_id=queue_id)
    if expired:
        metrics.LEASE_EXPIRIES.inc(expired)
    expires = now + timedelta(seconds=ctx["lease_seconds"])
    prefer_gold = ctx["gold_ratio"] > 0 and random.random() < ctx["gold_ratio"]
    claimed = None
    try:
        for gold in (prefer_gold, not prefer_gold):
            if gold and ctx["gold_ratio"] <= 0:
                continue
            claimed = await repo.claim_task(
                session,
                queue_id=queue_id,
                project_id=ctx["project_id"],
                contributor_id=contributor_id,
                vendor_id=profile.vendor_id,
                gold=gold,
                now=now,
                expires=expires,
            )
            if claimed is not None:
                break
    except IntegrityError as exc:
        raise LeaseRace() from exc
    if claimed is None:
        if await repo.work_remains_for(session, project_id=ctx["project_id"], contributor_id=contributor_id):
            return NoWork("all_leased", max(1, min(30, ctx["lease_seconds"] // 4)))
        return NoWork("exhausted", RETRY_EXHAUSTED)
    return _lease_out(claimed["assignment_id"], claimed["task_id"], claimed["data"], expires)


async def heartbeat(session: AsyncSession, *, principal: Principal, assignment_id: int) -> dict[str, Any]:
    """Extend a live lease by the project's lease length."""
    contributor_id = _contributor_id(principal)
    ctx = await _own_assignment(session, contributor_id=contributor_id, assignment_id=assignment_id)
    now = utcnow()
    expires = await repo.extend_lease(
        session,
        assignment_id=assignment_id,
        contributor_id=contributor_id,
        now=now,
        expires=now + timedelta(seconds=ctx["lease_seconds"]),
    )
    if expires is None:
        raise Conflict(f"assignment {assignment_id} has no live lease (it is {_state(ctx, now)})")
    return {"assignment_id": assignment_id, "lease_expires_at": expires}


async def release(session: AsyncSession, *, principal: Principal, assignment_id: int) -> None:
    """Give a leased task back to the queue (the contributor will not be offered it again)."""
    contributor_id = _contributor_id(principal)
    ctx = await _own_assignment(session, contributor_id=contributor_id, assignment_id=assignment_id)
    now = utcnow()
    task_id = await repo.finish_lease(
        session, assignment_id=assignment_id, contributor_id=contributor_id, status="released", now=now
    )
    if task_id is None:
        raise Conflict(f"assignment {assignment_id} has no live lease (it is {_state(ctx, now)})")
    await repo.give_back_capacity(session, task_id=task_id)
    metrics.ASSIGNMENTS.labels(outcome="released").inc()


def _state(ctx: dict[str, Any], now: datetime) -> str:
    if ctx["status"] == "leased" and ctx["lease_expires_at"] < now:
        return "expired"
    return ctx["status"]


async def _own_assignment(
    session: AsyncSession, *, contributor_id: int, assignment_id: int
) -> dict[str, Any]:
    ctx = await repo.assignment_context(session, assignment_id=assignment_id, contributor_id=contributor_id)
    if ctx is None:
        raise NotFound(f"assignment {assignment_id} not found")
    return ctx


async def submit(
    session: AsyncSession,
    *,
    principal: Principal,
    assignment_id: int,
    data: SubmissionCreate,
    idempotency_key: str | None,
) -> tuple[int, dict[str, Any]]:
    """Record the answer of a live lease (once per Idempotency-Key), score gold, count, and tell wellness."""
    contributor_id = _contributor_id(principal)
    scope = f"submit:{contributor_id}:{assignment_id}"
    if idempotency_key is not None:
        stored = await claim_or_replay(
            session, idempotency_keys, scope=scope, key=idempotency_key, payload=data.model_dump(mode="json")
        )
        if stored is not None:
            return stored.status_code, stored.body
    ctx = await _own_assignment(session, contributor_id=contributor_id, assignment_id=assignment_id)
    now = utcnow()
    if ctx["status"] != "leased" or ctx["lease_expires_at"] < now:
        raise Conflict(f"assignment {assignment_id} cannot take an answer: it is {_state(ctx, now)}")
    problems = answer_errors(ctx["label_schema"], data.answer)
    if problems:
        raise Unprocessable("answer does not fit the project's label schema", errors=problems)
    task_id = await repo.finish_lease(
        session, assignment_id=assignment_id, contributor_id=contributor_id, status="submitted", now=now
    )
    if task_id is None:
        raise Conflict(f"assignment {assignment_id} cannot take an answer any more")
    gold_correct = None
    if ctx["is_gold"]:
        gold_correct = comparable(data.answer) == comparable(ctx["gold_answer"])
    reviewed = review_sampled(task_id, ctx["review_ratio"])
    answered_on_time = _on_time(ctx, now)
    outcome = "pending_review" if reviewed else "accepted"
    submission_id = await repo.insert_submission(
        session,
        assignment_id=assignment_id,
        task_id=task_id,
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
    )
    completed, overlap = await repo.count_completion(session, task_id=task_id, now=now)
    task_done = completed >= overlap
    deltas = {"submissions": 1, "handling_seconds": data.time_spent_seconds, "accepted": int(not reviewed)}
    if gold_correct is not None:
        deltas |= {"gold_total": 1, "gold_correct": int(gold_correct)}
    if task_done:
        deltas["tasks_completed"] = 1
        on_time = answered_on_time
        if on_time is not None:
            deltas["on_time" if on_time else "late"] = 1
            metrics.observe_turnaround(ctx, now, on_time)
            if not on_time:
                await publisher.publish(
                    session, "sla.breached", {"project_id": ctx["project_id"], "task_id": task_id}
                )
        await publisher.publish(
            session, "task.completed", {"project_id": ctx["project_id"], "task_id": task_id}
        )
    await add_to_counters(
        session, project_id=ctx["project_id"], shard=contributor_id % COUNTER_SHARDS, **deltas
    )
    if gold_correct is not None:
        await _score_gold(session, ctx=ctx, contributor_id=contributor_id, correct=gold_correct)
    severity = ctx["content_severity"]
    if severity != "none":
        day = local_day(now, ctx["timezone"] or "UTC")
        await repo.add_exposure(
            session,
            contributor_id=contributor_id,
            day=day,
            severity=severity,
            seconds=data.time_spent_seconds,
        )
    # Only exposure feeds wellness; severity "none" is never capped or counted, so it is not reported.
    if severity != "none":
        await publisher.publish(
            session,
            "submission.recorded",
            {
                "contributor_id": contributor_id,
                "project_id": ctx["project_id"],
                "severity": severity,
                "seconds": data.time_spent_seconds,
                "submitted_at": now.isoformat(),
            },
        )
    metrics.ASSIGNMENTS.labels(outcome="submitted").inc()
    body = {
        "id": submission_id,
        "assignment_id": assignment_id,
        "task_id": task_id,
        "outcome": outcome,
        "gold_correct": gold_correct,
        "created_at": now.isoformat(),
    }
    if idempotency_key is not None:
        await remember_response(
            session, idempotency_keys, scope=scope, key=idempotency_key, status_code=201, body=body
        )
    return 201, body


def _on_time(ctx: dict[str, Any], now: datetime) -> bool | None:
    """Turnaround from import to final within the project's SLA (or the task's own due time)."""
    if ctx["due_at"] is not None:
        return now <= ctx["due_at"]
    hours = ctx["sla_turnaround_hours"]
    if hours is None:
        return None
    return now - ctx["task_created_at"] <= timedelta(hours=hours)


async def _score_gold(
    session: AsyncSession, *, ctx: dict[str, Any], contributor_id: int, correct: bool
) -> None:
    """Keep the contributor's gold accuracy on the project; falling below min_quality emits quality.drift once."""
    total, right, drifted = await repo.upsert_quality(
        session, project_id=ctx["project_id"], contributor_id=contributor_id, correct=correct
    )
    min_quality = ctx["min_quality"]
    if min_quality is None:
        return
    accuracy = right / total
    below = accuracy < min_quality
    if below and not drifted:
        await repo.mark_drifted(
            session, project_id=ctx["project_id"], contributor_id=contributor_id, drifted=True
        )
        await publisher.publish(
            session,
            "quality.drift",
            {
                "contributor_id": contributor_id,
                "project_id": ctx["project_id"],
                "accuracy": accuracy,
                "min_quality": min_quality,
                "qualification": ctx["required_qualification"],
            },
        )
    elif drifted and not below:
        await repo.mark_drifted(
            session, project_id=ctx["project_id"], contributor_id=contributor_id, drifted=False
        )
