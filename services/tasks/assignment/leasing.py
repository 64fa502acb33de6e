"""Leasing in the assignment loop: `next`, heartbeat, release — on the driver connection.

On PostgreSQL these run as autocommit statements (each one atomic, the invariants in constraints); on
SQLite each operation is one write transaction. `next` applies the lease preconditions
(preconditions.py) in the statement that claims, and answers from them when it did not.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from services.tasks import metrics
from services.tasks.assignment import queries
from services.tasks.assignment.preconditions import (
    LEASE_LIMIT,
    RETRY_EXHAUSTED,
    SUBMIT_PRECONDITIONS,
    NoWork,
    explanation,
    first_failed,
    retry_while_leased,
)
from services.tasks.deps import ELIGIBILITY_STAFF
from services.tasks.service.reviews import lease_next_review
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, Forbidden, NotFound
from shared.rawsql import RawConnection

# The unique indexes that two concurrent `next` calls of one contributor can both try to fill. Only
# PostgreSQL names them: SQLite serialises writers, so a clash there is never such a race.
LEASE_RACE_CONSTRAINTS = frozenset({"uq_assignments_live_lease_slot", "uq_assignments_task_contributor"})
# The contributor's concurrent `next` took the same lease slot; asked again shortly, this one gets that
# lease back (at a cap of 1) or another slot.
LEASE_RACE = NoWork("lease_limit", 1)


def is_lease_race(exc: IntegrityError) -> bool:
    """A clash on a lease index is the caller's own concurrent call; any other integrity error is a
    fault to log and answer as one, never a queue reason that would quietly stop the queue."""
    return getattr(exc.orig, "constraint_name", None) in LEASE_RACE_CONSTRAINTS


def contributor_of(principal: Principal) -> int:
    if principal.contributor_id is None:
        raise Forbidden("this user is not linked to a contributor")
    return principal.contributor_id


def _lease_out(assignment_id: int, task_id: int, data: Any, expires: datetime) -> dict[str, Any]:
    return {
        "assignment_id": assignment_id,
        "task": {"id": task_id, "data": data},
        "lease_expires_at": expires,
    }


@asynccontextmanager
async def unit(connection: RawConnection, *, atomic: bool = False) -> AsyncIterator[None]:
    """One operation's writes: a transaction on SQLite (writers serialise on its lock) or when the
    statements must commit together; otherwise PostgreSQL autocommits each (atomic) statement."""
    if atomic or connection.dialect != "postgresql":
        async with connection.transaction():
            yield
    else:
        yield


async def lease_next(
    connection: RawConnection, *, principal: Principal, queue_id: int
) -> dict[str, Any] | NoWork:
    """Lease the best task the caller may do now, or say why there is none (a held lease at a cap of
    one is returned again)."""
    contributor_id = contributor_of(principal)
    now = utcnow()
    # Gold or not is drawn before the context is read: the statement that reads it also claims.
    draw = random.random()
    try:
        async with unit(connection):
            ctx = await _attempt(
                connection, queue_id=queue_id, contributor_id=contributor_id, now=now, draw=draw
            )
            if ctx["kind"] == "review":
                outcome = None
            else:
                outcome = await _labeling_lease(
                    connection, ctx=ctx, contributor_id=contributor_id, now=now, draw=draw
                )
    except IntegrityError as exc:
        if is_lease_race(exc):
            return LEASE_RACE
        raise
    if outcome is None:
        async with connection.orm_session() as session:
            return await lease_next_review(session, principal=principal, queue_id=queue_id, now=now)
    return outcome


async def _attempt(
    connection: RawConnection, *, queue_id: int, contributor_id: int, now: datetime, draw: float
) -> dict[str, Any]:
    ctx = await queries.lease_attempt(
        connection, queue_id=queue_id, contributor_id=contributor_id, role="labeler", now=now, draw=draw
    )
    if ctx is None:
        raise NotFound(f"queue {queue_id} not found")
    if ctx["reclaimed"]:
        metrics.LEASE_EXPIRIES.inc(ctx["reclaimed"])
    return ctx


def _answer(ctx: dict[str, Any], now: datetime) -> dict[str, Any] | NoWork | None:
    """What one lease attempt answers: its lease, the held lease, a refusal; None when every
    precondition held but no task of the kind it looked for was free."""
    failed = first_failed(ctx)
    if failed is LEASE_LIMIT and ctx["max_live_leases"] == 1 and ctx["lease_id"] is not None:
        # A repeated `next` (a lost response, a reload) gets the lease it already holds.
        return _lease_out(ctx["lease_id"], ctx["lease_task_id"], ctx["lease_data"], ctx["lease_expires_at"])
    if failed is not None:
        return failed.refuse(ctx, now)
    if ctx["claimed_id"] is not None:
        return _lease_out(
            ctx["claimed_id"], ctx["claimed_task_id"], ctx["claimed_data"], ctx["claimed_expires_at"]
        )
    return None


async def _labeling_lease(
    connection: RawConnection, *, ctx: dict[str, Any], contributor_id: int, now: datetime, draw: float
) -> dict[str, Any] | NoWork:
    answer = _answer(ctx, now)
    if answer is not None:
        return answer
    # No task of the drawn kind: ask again for it when the attempt freed tasks it could not take, then
    # for the other kind (gold only where the project injects gold).
    prefer_gold = draw < ctx["gold_ratio"]
    draws = [draw] if ctx["freed_untaken"] else []
    if not prefer_gold and ctx["gold_ratio"] > 0:
        draws.append(-1.0)
    elif prefer_gold:
        draws.append(2.0)
    for again in draws:
        ctx = await _attempt(
            connection, queue_id=ctx["queue_id"], contributor_id=contributor_id, now=now, draw=again
        )
        answer = _answer(ctx, now)
        if answer is not None:
            return answer
    if await queries.work_remains_for(
        connection, project_id=ctx["project_id"], contributor_id=contributor_id
    ):
        return NoWork("all_leased", retry_while_leased(ctx))
    return NoWork("exhausted", RETRY_EXHAUSTED)


async def explain_eligibility(
    connection: RawConnection, *, principal: Principal, queue_id: int, contributor_id: int
) -> dict[str, Any]:
    """Why `next` on the labeling queue would or would not give the contributor work now: every
    precondition, passed or not, with the values compared. Staff may ask about anyone; a contributor
    only about itself, and only on a queue it may work (as `next`, no existence oracle)."""
    staff = principal.has_any(*ELIGIBILITY_STAFF)
    if not staff and principal.contributor_id != contributor_id:
        raise NotFound(f"contributor {contributor_id} not found")
    now = utcnow()
    ctx = await queries.eligibility_context(
        connection, queue_id=queue_id, contributor_id=contributor_id, now=now
    )
    if ctx is None or ctx["kind"] != "labeling" or (not staff and not ctx["ok_permitted"]):
        raise NotFound(f"queue {queue_id} not found")
    return {"queue_id": queue_id, "contributor_id": contributor_id, **explanation(ctx, now)}


async def contributor_access(
    connection: RawConnection, *, principal: Principal, contributor_id: int
) -> dict[str, Any]:
    """Every labeling queue the contributor holds a grant on (directly, through its vendor or as crowd),
    each with whether `next` would give work now and why, from the same preconditions."""
    if not principal.has_any(*ELIGIBILITY_STAFF, "service") and principal.contributor_id != contributor_id:
        raise NotFound(f"contributor {contributor_id} not found")
    now = utcnow()
    rows = await queries.access_contexts(connection, contributor_id=contributor_id, now=now)
    queues = [
        {
            "queue_id": r["queue_id"],
            "project_id": r["project_id"],
            "project_name": r["project_name"],
            **explanation(r, now),
        }
        for r in rows
    ]
    return {"contributor_id": contributor_id, "queues": queues}


async def heartbeat(connection: RawConnection, *, principal: Principal, assignment_id: int) -> dict[str, Any]:
    """Extend a live lease by the project's lease length."""
    contributor_id = contributor_of(principal)
    ctx = await own_assignment(connection, contributor_id=contributor_id, assignment_id=assignment_id)
    still_answerable(ctx, assignment_id)
    now = utcnow()
    expires = await queries.extend_lease(
        connection,
        assignment_id=assignment_id,
        contributor_id=contributor_id,
        now=now,
        expires=now + timedelta(seconds=ctx["lease_seconds"]),
    )
    if expires is None:
        raise Conflict(f"assignment {assignment_id} has no live lease (it is {state_of(ctx, now)})")
    return {"assignment_id": assignment_id, "lease_expires_at": expires}


async def release(connection: RawConnection, *, principal: Principal, assignment_id: int) -> None:
    """Give a leased task back to the queue (the contributor will not be offered it again)."""
    contributor_id = contributor_of(principal)
    ctx = await own_assignment(connection, contributor_id=contributor_id, assignment_id=assignment_id)
    now = utcnow()
    async with unit(connection):
        task_id = await queries.release_lease(
            connection, assignment_id=assignment_id, contributor_id=contributor_id, now=now
        )
    if task_id is None:
        raise Conflict(f"assignment {assignment_id} has no live lease (it is {state_of(ctx, now)})")
    metrics.ASSIGNMENTS.labels(outcome="released").inc()


def still_answerable(ctx: dict[str, Any], assignment_id: int) -> None:
    """A held lease whose holder, project or harmful-content choice changed may not go on."""
    failed = first_failed(ctx, SUBMIT_PRECONDITIONS)
    if failed is not None:
        raise Conflict(f"assignment {assignment_id} cannot take an answer any more: {failed.reason}")


def state_of(ctx: dict[str, Any], now: datetime) -> str:
    if ctx["status"] == "leased" and ctx["lease_expires_at"] < now:
        return "expired"
    return ctx["status"]


async def own_assignment(
    connection: RawConnection,
    *,
    contributor_id: int,
    assignment_id: int,
    scope: str = "",
    key: str | None = None,
) -> dict[str, Any]:
    ctx = await queries.assignment_context(
        connection, assignment_id=assignment_id, contributor_id=contributor_id, scope=scope, key=key
    )
    if ctx is None:
        raise NotFound(f"assignment {assignment_id} not found")
    return ctx
