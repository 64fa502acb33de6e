"""The assignment loop's SQL: leasing, reclaiming, submitting — on the driver connection (shared.rawsql).

On PostgreSQL each step is one statement in autocommit: `next` is one round trip (reclaim the queue's
expired leases, read the lease context with its preconditions, claim with `FOR UPDATE SKIP LOCKED`:
pick, bump the task's counter, insert the lease), and a plain submit is two (the context, then one
statement that closes the lease, stores the submission, counts completion and remembers the
Idempotency-Key response). Every statement is atomic on its own and the invariants hold in constraints,
so nothing needs a surrounding transaction. SQLite runs the same steps as short statements inside one
write transaction (BEGIN IMMEDIATE), which serialises writers.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from services.tasks.assignment.preconditions import (
    ALL_HOLD,
    BREAK_ENDS_AT,
    CAPPED_SEVERITIES,
    HARMFUL_SEVERITIES,
    HAS_LOCALES,
    HOLDS_COLUMNS,
    HOLDS_NAMES,
    LASTING,
    PERMITTED,
    SHOWN_BOOL,
    SHOWN_COLUMNS,
    SHOWN_JSON,
    SHOWN_TIME,
    SUBMIT_PRECONDITIONS,
    caller_languages,
    holds_columns,
    holds_names,
    speaks,
)
from shared.rawsql import RawConnection, RawQuery


def _pg(connection: RawConnection) -> bool:
    return connection.dialect == "postgresql"


# A lease lost in a database crash costs nothing (the worker asks again and the task's counter is lost
# with it), so on PostgreSQL the lease statements do not wait for their WAL flush; submits still do.
_RELAXED = "set_config('synchronous_commit', 'off', true) AS relaxed"

# The caller's unexpired leases on the queue.
_LIVE_LEASE = (
    "{a}.queue_id = q.id AND {a}.contributor_id = :contributor_id AND {a}.status = 'leased'"
    " AND {a}.lease_expires_at >= :now"
)
# The lease context: the queue, its project, the caller's profile and held lease (slot 0), and one
# column per lease precondition (preconditions.py).
_CONTEXT_COLUMNS = f"""
    q.id AS queue_id, q.kind, p.id AS project_id, p.lease_seconds, p.gold_ratio, p.max_live_leases,
    cp.vendor_id, cp.timezone,
    CASE WHEN p.content_severity IN {CAPPED_SEVERITIES} THEN {BREAK_ENDS_AT} END AS break_ends_at,
    a.id AS lease_id, a.task_id AS lease_task_id, a.lease_expires_at, t.data AS lease_data,
    {HOLDS_COLUMNS}
"""
_CONTEXT_JOINS = """
    FROM queues q
    JOIN projects p ON p.id = q.project_id
    LEFT JOIN contributor_profiles cp ON cp.contributor_id = :contributor_id
    LEFT JOIN assignments a ON a.queue_id = q.id AND a.contributor_id = :contributor_id AND a.status = 'leased'
      AND a.lease_slot = 0
    LEFT JOIN tasks t ON t.id = a.task_id
"""
_CONTEXT_FROM = f"{_CONTEXT_JOINS} WHERE q.id = :queue_id"
_CONTEXT_KINDS = dict(
    time_params=("now",),
    json_cols=("lease_data", "claimed_data"),
    time_cols=("lease_expires_at", "claimed_expires_at", "break_ends_at"),
    bool_cols=HOLDS_NAMES,
)
# The claim's two writes after picking a task: count the lease on it (re-checked on the locked row), then
# insert the lease (its SELECT follows).
_BUMP_PICKED = """
    UPDATE tasks SET assigned_count = tasks.assigned_count + 1
    FROM picked WHERE tasks.id = picked.id AND tasks.assigned_count < tasks.overlap
    RETURNING tasks.id, tasks.data
"""
_INSERT_LEASE = """
    INSERT INTO assignments
      (queue_id, project_id, task_id, contributor_id, vendor_id, status, lease_slot, leased_at, lease_expires_at)
"""
# On PostgreSQL `next` is one statement: it reclaims the queue's expired leases, reads the context and,
# where every precondition holds, claims a task (gold when :draw < gold_ratio). The statement's snapshot
# predates its own reclaim, so a lease it expires still reads as the caller's (the preconditions compare
# lease_expires_at with now), the claim skips tasks this very statement gives capacity back to (two
# updates of one row in a statement would lose one: `freed_untaken` says to ask again) and takes a slot
# no snapshot lease holds (the order of the CTEs' writes is not defined).
LEASE_ATTEMPT_PG = RawQuery(
    f"""
    WITH expired AS (
      UPDATE assignments SET status = 'expired', finished_at = :now
      WHERE queue_id = :queue_id AND status = 'leased' AND lease_expires_at < :now
      RETURNING task_id
    ), given_back AS (
      UPDATE tasks SET assigned_count = tasks.assigned_count - per_task.n
      FROM (SELECT task_id, count(*) AS n FROM expired GROUP BY task_id) per_task
      WHERE tasks.id = per_task.task_id
      RETURNING per_task.n
    ), ctx AS (
      SELECT {_RELAXED}, {_CONTEXT_COLUMNS},
        (SELECT min(s) FROM generate_series(0, p.max_live_leases - 1) s
         WHERE NOT EXISTS (SELECT 1 FROM assignments h WHERE h.queue_id = q.id
                             AND h.contributor_id = :contributor_id AND h.status = 'leased'
                             AND h.lease_slot = s)) AS claim_slot
      {_CONTEXT_FROM}
    ), attempt AS (
      SELECT * FROM ctx WHERE kind = 'labeling' AND claim_slot IS NOT NULL AND {ALL_HOLD}
    ), picked AS (
      -- The best task of each language the caller may take (one walk of ix_tasks_claimable in claim
      -- order each, the language a parameter of it), then the best of those.
      SELECT c.id FROM attempt
      CROSS JOIN LATERAL ({caller_languages("attempt.project_id")}) l
      CROSS JOIN LATERAL (
        SELECT t.id, t.rank, t.due_at FROM tasks t
        WHERE t.project_id = attempt.project_id AND t.is_gold = (:draw < attempt.gold_ratio)
          AND t.language = l.language AND t.assigned_count < t.overlap
          AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.task_id = t.id AND x.contributor_id = :contributor_id)
          AND NOT EXISTS (SELECT 1 FROM expired e WHERE e.task_id = t.id)
        ORDER BY t.rank, t.due_at, t.id
        LIMIT 1 FOR UPDATE OF t SKIP LOCKED
      ) c
      ORDER BY c.rank, c.due_at, c.id LIMIT 1
    ), bumped AS (
      {_BUMP_PICKED}
    ), leased AS (
      {_INSERT_LEASE}
      SELECT attempt.queue_id, attempt.project_id, bumped.id, :contributor_id, attempt.vendor_id, 'leased',
             attempt.claim_slot, :now, CAST(:now AS timestamptz) + make_interval(secs => attempt.lease_seconds)
      FROM bumped, attempt
      RETURNING id, task_id, lease_expires_at
    )
    SELECT ctx.*, EXISTS (SELECT 1 FROM given_back) AS freed_untaken,
           (SELECT coalesce(sum(n), 0)::int FROM given_back) AS reclaimed,
           leased.id AS claimed_id, leased.task_id AS claimed_task_id,
           leased.lease_expires_at AS claimed_expires_at, bumped.data AS claimed_data
    FROM ctx LEFT JOIN leased ON true LEFT JOIN bumped ON bumped.id = leased.task_id
    """,
    **_CONTEXT_KINDS,
)
# SQLite runs the same steps one after another in the operation's write transaction: reclaim, read the
# context (with the first free lease slot), and claim where every precondition holds.
LEASE_CONTEXT = RawQuery(
    f"""
    SELECT {_CONTEXT_COLUMNS},
    CASE WHEN NOT EXISTS (SELECT 1 FROM assignments l WHERE {_LIVE_LEASE.format(a="l")} AND l.lease_slot = 0) THEN 0
         ELSE (SELECT min(l.lease_slot) + 1 FROM assignments l WHERE {_LIVE_LEASE.format(a="l")} AND NOT EXISTS (
                 SELECT 1 FROM assignments m WHERE {_LIVE_LEASE.format(a="m")} AND m.lease_slot = l.lease_slot + 1))
    END AS free_slot
    {_CONTEXT_FROM}
    """,
    **_CONTEXT_KINDS,
)


# The eligibility explanation: the lease context read only (nothing reclaimed or claimed), with the
# values every precondition compares.
_EXPLAINED_KINDS = dict(
    time_params=("now",),
    json_cols=("lease_data", *SHOWN_JSON),
    time_cols=("lease_expires_at", "break_ends_at", *SHOWN_TIME),
    bool_cols=(*HOLDS_NAMES, *SHOWN_BOOL),
)
ELIGIBILITY_CONTEXT = RawQuery(
    f"SELECT {_CONTEXT_COLUMNS}, {SHOWN_COLUMNS} {_CONTEXT_FROM}", **_EXPLAINED_KINDS
)


# Every labeling queue the contributor holds a grant on (the `permitted` precondition), explained.
ACCESS_CONTEXTS = RawQuery(
    f"""
    SELECT {_CONTEXT_COLUMNS}, {SHOWN_COLUMNS}, p.name AS project_name
    {_CONTEXT_JOINS}
    WHERE q.kind = 'labeling' AND {PERMITTED.holds}
    ORDER BY q.id
    """,
    **_EXPLAINED_KINDS,
)


# The forecast's eligible pool: per task language of the project ('' where it has no locales), the
# contributors every lasting precondition lets work it who speak that language. The preconditions are
# written for one caller; here each profile is the caller.
_EVERY_PROFILE = " AND ".join(f"coalesce(({p.holds}), false)" for p in LASTING)
ELIGIBLE_POOLS = RawQuery(
    f"""
    SELECT l.language, count(*) AS pool
    FROM queues q JOIN projects p ON p.id = q.project_id
    CROSS JOIN contributor_profiles cp
    JOIN (SELECT '' AS language
          UNION SELECT r.value FROM project_requirements r WHERE r.project_id = :project_id AND r.kind = 'locale') l
      ON CASE WHEN l.language = '' THEN NOT {HAS_LOCALES} ELSE {speaks("l.language")} END
    WHERE q.project_id = :project_id AND q.kind = 'labeling' AND {_EVERY_PROFILE}
    GROUP BY l.language
    """.replace(":contributor_id", "cp.contributor_id"),
    time_params=("now",),
)


async def eligible_pools(connection: RawConnection, *, project_id: int, now: datetime) -> dict[str, int]:
    """Task language → how many contributors may work it (languages nobody may work are absent)."""
    rows = await connection.fetch(ELIGIBLE_POOLS, {"project_id": project_id, "role": "labeler", "now": now})
    return {r["language"]: int(r["pool"]) for r in rows}


async def access_contexts(
    connection: RawConnection, *, contributor_id: int, now: datetime
) -> list[dict[str, Any]]:
    params = {"contributor_id": contributor_id, "role": "labeler", "now": now}
    return await connection.fetch(ACCESS_CONTEXTS, params)


async def eligibility_context(
    connection: RawConnection, *, queue_id: int, contributor_id: int, now: datetime
) -> dict[str, Any] | None:
    params = {"queue_id": queue_id, "contributor_id": contributor_id, "role": "labeler", "now": now}
    return await connection.fetchrow(ELIGIBILITY_CONTEXT, params)


async def lease_attempt(
    connection: RawConnection, *, queue_id: int, contributor_id: int, role: str, now: datetime, draw: float
) -> dict[str, Any] | None:
    """Reclaim the queue's expired leases (`reclaimed` counts them), read the lease context and, on a
    labeling queue where every precondition holds, lease the best task of the kind `draw` picks (gold
    when `draw` < gold_ratio): `claimed_*` say what. None when the queue does not exist."""
    params = {"queue_id": queue_id, "contributor_id": contributor_id, "role": role, "now": now}
    if _pg(connection):
        return await connection.fetchrow(LEASE_ATTEMPT_PG, {**params, "draw": draw})
    reclaimed = await reclaim_expired_leases(connection, now=now, queue_id=queue_id)
    ctx = await connection.fetchrow(LEASE_CONTEXT, params)
    if ctx is None:
        return None
    ctx.update(reclaimed=reclaimed, freed_untaken=False, claimed_id=None)
    if ctx["kind"] == "labeling" and all(ctx[name] for name in HOLDS_NAMES):
        expires = now + timedelta(seconds=ctx["lease_seconds"])
        picked = await _pick_sqlite(
            connection,
            project_id=ctx["project_id"],
            contributor_id=contributor_id,
            gold=draw < ctx["gold_ratio"],
        )
        if picked is not None:
            leased = await connection.fetchrow(
                INSERT_LEASE,
                {
                    **params,
                    "project_id": ctx["project_id"],
                    "task_id": picked["task_id"],
                    "vendor_id": ctx["vendor_id"],
                    "slot": ctx["free_slot"],
                    "expires": expires,
                },
            )
            ctx.update(
                claimed_id=leased["id"],
                claimed_task_id=picked["task_id"],
                claimed_expires_at=expires,
                claimed_data=picked["data"],
            )
    return ctx


_EXPIRE = """
    UPDATE assignments SET status = 'expired', finished_at = :now
    WHERE {scope} status = 'leased' AND lease_expires_at < :now
    RETURNING task_id
"""
RECLAIM_ALL_PG = RawQuery(
    f"""
    WITH expired AS ({_EXPIRE.format(scope="")}),
    per_task AS (SELECT task_id, count(*) AS n FROM expired GROUP BY task_id)
    UPDATE tasks SET assigned_count = tasks.assigned_count - per_task.n
    FROM per_task WHERE tasks.id = per_task.task_id
    RETURNING per_task.n
    """,
    time_params=("now",),
)
EXPIRE_QUEUE = RawQuery(_EXPIRE.format(scope="queue_id = :queue_id AND"), time_params=("now",))
EXPIRE_ALL = RawQuery(_EXPIRE.format(scope=""), time_params=("now",))
GIVE_BACK = RawQuery("UPDATE tasks SET assigned_count = assigned_count - :n WHERE id = :task_id")


RELEASE_HELD = RawQuery(
    f"""
    UPDATE assignments SET status = 'released', finished_at = :now
    WHERE status = 'leased'
      AND (CAST(:contributor_id AS INTEGER) IS NULL OR contributor_id = :contributor_id)
      AND (CAST(:project_id AS INTEGER) IS NULL OR project_id = :project_id)
      AND (CAST(:vendor_id AS INTEGER) IS NULL OR vendor_id = :vendor_id)
      AND (NOT :harmful_only OR project_id IN (
             SELECT id FROM projects WHERE content_severity IN {HARMFUL_SEVERITIES}))
    RETURNING task_id
    """,
    time_params=("now",),
)


async def release_held_leases(
    connection: RawConnection,
    *,
    now: datetime,
    contributor_id: int | None = None,
    project_id: int | None = None,
    vendor_id: int | None = None,
    harmful_only: bool = False,
) -> int:
    """End the live leases of a contributor, a project and/or a vendor's staff (only on harmful-content
    projects when `harmful_only`) as released, and give their capacity back; returns how many."""
    params = {"contributor_id": contributor_id, "project_id": project_id, "vendor_id": vendor_id}
    rows = await connection.fetch(RELEASE_HELD, {**params, "now": now, "harmful_only": harmful_only})
    return await _give_back(connection, rows)


async def reclaim_expired_leases(
    connection: RawConnection, *, now: datetime, queue_id: int | None = None
) -> int:
    """Expire overdue leases (of one queue, or all) and give their capacity back to the tasks."""
    if _pg(connection) and queue_id is None:
        return sum(int(r["n"]) for r in await connection.fetch(RECLAIM_ALL_PG, {"now": now}))
    if queue_id is None:
        rows = await connection.fetch(EXPIRE_ALL, {"now": now})
    else:
        rows = await connection.fetch(EXPIRE_QUEUE, {"now": now, "queue_id": queue_id})
    return await _give_back(connection, rows)


async def _give_back(connection: RawConnection, rows: list[dict[str, Any]]) -> int:
    """Give the tasks of ended leases (one row per lease) their capacity back."""
    per_task = Counter(r["task_id"] for r in rows)
    if per_task:
        await connection.execute_many(GIVE_BACK, [{"task_id": t, "n": n} for t, n in per_task.items()])
    return sum(per_task.values())


CALLER_LANGUAGES = RawQuery(caller_languages(":project_id"))
# The best claimable task of one language (SQLite walks ix_tasks_claimable in claim order for it).
BEST_OF_LANGUAGE = RawQuery(
    """
    SELECT t.id, t.rank, t.due_at FROM tasks t
    WHERE t.project_id = :project_id AND t.is_gold = :gold AND t.language = :language
      AND t.assigned_count < t.overlap
      AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.task_id = t.id AND x.contributor_id = :contributor_id)
    ORDER BY t.rank, t.due_at NULLS LAST, t.id LIMIT 1
    """,
    time_cols=("due_at",),
)
BUMP_SQLITE = RawQuery(
    """
    UPDATE tasks SET assigned_count = assigned_count + 1 WHERE id = :task_id AND assigned_count < overlap
    RETURNING id AS task_id, data
    """,
    json_cols=("data",),
)


def _claim_order(task: dict[str, Any]) -> tuple:
    return (task["rank"], task["due_at"] is None, task["due_at"] or datetime.min, task["id"])


async def _pick_sqlite(
    connection: RawConnection, *, project_id: int, contributor_id: int, gold: bool
) -> dict[str, Any] | None:
    """Count a lease on the best task of the languages the caller may take (inside the operation's
    write transaction, so nothing changes in between)."""
    params = {"project_id": project_id, "contributor_id": contributor_id}
    languages = [r["language"] for r in await connection.fetch(CALLER_LANGUAGES, params)]
    best = [
        task
        for language in languages
        if (
            task := await connection.fetchrow(
                BEST_OF_LANGUAGE, {**params, "gold": gold, "language": language}
            )
        )
    ]
    if not best:
        return None
    return await connection.fetchrow(BUMP_SQLITE, {"task_id": min(best, key=_claim_order)["id"]})


INSERT_LEASE = RawQuery(
    f"""
    {_INSERT_LEASE}
    VALUES (:queue_id, :project_id, :task_id, :contributor_id, :vendor_id, 'leased', :slot, :now, :expires)
    RETURNING id
    """,
    time_params=("now", "expires"),
)


REMAINING_FOR = RawQuery(
    f"""
    SELECT EXISTS (
      SELECT 1 FROM tasks t
      WHERE t.project_id = :project_id AND t.completed_count < t.overlap
        AND t.language IN ({caller_languages(":project_id")})
        AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.task_id = t.id AND x.contributor_id = :contributor_id)
    ) AS remains
    """,
    bool_cols=("remains",),
)


async def work_remains_for(connection: RawConnection, *, project_id: int, contributor_id: int) -> bool:
    """Unfinished tasks in its languages this contributor never had (all currently leased by others, since
    none was claimable)."""
    row = await connection.fetchrow(
        REMAINING_FOR, {"project_id": project_id, "contributor_id": contributor_id}
    )
    return bool(row["remains"])


ASSIGNMENT_CONTEXT = RawQuery(
    f"""
    SELECT a.id, a.status, a.lease_expires_at, a.task_id, a.project_id, a.queue_id, a.vendor_id,
           p.label_schema, p.content_severity, p.min_quality, p.review_ratio, p.sla_turnaround_hours,
           p.auto_revoke_on_drift, p.lease_seconds, p.required_qualification,
           t.is_gold, t.gold_answer, t.created_at AS task_created_at, t.due_at,
           cp.timezone,
           k.fingerprint AS replay_fingerprint, k.status_code AS replay_status, k.response AS replay_body,
           {holds_columns(SUBMIT_PRECONDITIONS)}
    FROM assignments a
    JOIN projects p ON p.id = a.project_id
    JOIN tasks t ON t.id = a.task_id
    LEFT JOIN contributor_profiles cp ON cp.contributor_id = a.contributor_id
    LEFT JOIN idempotency_keys k ON k.scope = :scope AND k.key = :key
    WHERE a.id = :assignment_id AND a.contributor_id = :contributor_id
    """,
    json_cols=("label_schema", "gold_answer", "replay_body"),
    time_cols=("lease_expires_at", "task_created_at", "due_at"),
    bool_cols=("is_gold", "auto_revoke_on_drift", *holds_names(SUBMIT_PRECONDITIONS)),
)


async def assignment_context(
    connection: RawConnection,
    *,
    assignment_id: int,
    contributor_id: int,
    scope: str = "",
    key: str | None = None,
) -> dict | None:
    """The caller's own assignment with what submitting needs, and the response stored under
    `scope`/`key` if this is a replay; another contributor's assignment is not found."""
    return await connection.fetchrow(
        ASSIGNMENT_CONTEXT,
        {"assignment_id": assignment_id, "contributor_id": contributor_id, "scope": scope, "key": key},
    )


REPLAY = RawQuery(
    "SELECT fingerprint, status_code, response FROM idempotency_keys WHERE scope = :scope AND key = :key",
    json_cols=("response",),
)


async def stored_response(connection: RawConnection, *, scope: str, key: str) -> dict[str, Any] | None:
    return await connection.fetchrow(REPLAY, {"scope": scope, "key": key})


EXTEND_LEASE = RawQuery(
    """
    UPDATE assignments SET lease_expires_at = :expires
    WHERE id = :assignment_id AND contributor_id = :contributor_id AND status = 'leased' AND lease_expires_at >= :now
    RETURNING lease_expires_at
    """,
    time_params=("now", "expires"),
    time_cols=("lease_expires_at",),
)


async def extend_lease(
    connection: RawConnection, *, assignment_id: int, contributor_id: int, now: datetime, expires: datetime
) -> datetime | None:
    row = await connection.fetchrow(
        EXTEND_LEASE,
        {"assignment_id": assignment_id, "contributor_id": contributor_id, "now": now, "expires": expires},
    )
    return row["lease_expires_at"] if row else None


RELEASE_PG = RawQuery(
    """
    WITH released AS (
      UPDATE assignments SET status = 'released', finished_at = :now
      WHERE id = :assignment_id AND contributor_id = :contributor_id AND status = 'leased'
        AND lease_expires_at >= :now
      RETURNING task_id
    )
    UPDATE tasks SET assigned_count = tasks.assigned_count - 1
    FROM released WHERE tasks.id = released.task_id
    RETURNING tasks.id AS task_id
    """,
    time_params=("now",),
)
FINISH_LEASE = RawQuery(
    """
    UPDATE assignments SET status = :status, finished_at = :now
    WHERE id = :assignment_id AND contributor_id = :contributor_id AND status = 'leased' AND lease_expires_at >= :now
    RETURNING task_id
    """,
    time_params=("now",),
)


async def release_lease(
    connection: RawConnection, *, assignment_id: int, contributor_id: int, now: datetime
) -> int | None:
    """Close a live lease as `released` and give its capacity back; None when it was not live any more."""
    params = {"assignment_id": assignment_id, "contributor_id": contributor_id, "now": now}
    if _pg(connection):
        row = await connection.fetchrow(RELEASE_PG, params)
        return row["task_id"] if row else None
    row = await connection.fetchrow(FINISH_LEASE, {**params, "status": "released"})
    if row is None:
        return None
    await connection.execute_many(GIVE_BACK, [{"task_id": row["task_id"], "n": 1}])
    return row["task_id"]


# --- Recording a submission -------------------------------------------------------------------------
# Shared by both dialects: PostgreSQL runs them as CTEs of one statement, SQLite one after another.
_SUBMISSION_COLUMNS = """
    (assignment_id, task_id, project_id, contributor_id, vendor_id, answer, time_spent_seconds, is_gold,
     gold_correct, on_time, outcome, review_state, created_at, decided_at)
"""
_SUBMISSION_VALUES = """
    :assignment_id, {task_id}, :project_id, :contributor_id, :vendor_id, :answer, :time_spent_seconds,
    :is_gold, :gold_correct, :on_time, :outcome, :review_state, :now, :decided_at
"""
_COMPLETE = """
    UPDATE tasks SET completed_count = completed_count + 1,
      completed_at = CASE WHEN completed_count + 1 >= overlap THEN :now ELSE completed_at END
"""
_COUNTER_NAMES = (
    "tasks_completed",
    "submissions",
    "handling_seconds",
    "gold_total",
    "gold_correct",
    "accepted",
    "on_time",
    "late",
)
_COUNTERS_UPSERT = "ON CONFLICT (project_id, shard) DO UPDATE SET " + ", ".join(
    f"{c} = project_counters.{c} + excluded.{c}" for c in _COUNTER_NAMES
)
_COUNTERS_INSERT = """
    INSERT INTO project_counters (project_id, shard, tasks_imported, rejected, tasks_completed, submissions,
      handling_seconds, gold_total, gold_correct, accepted, on_time, late)
"""
# On time / late count once per task, when its final answer arrives.
_COUNTERS_VALUES = """
    :project_id, :shard, 0, 0, {done}, 1, :time_spent_seconds, :gold_total, :gold_right, :accepted,
    CASE WHEN {done} = 1 AND :on_time_int = 1 THEN 1 ELSE 0 END,
    CASE WHEN {done} = 1 AND :on_time_int = 0 THEN 1 ELSE 0 END
"""
_REMEMBER = """
    INSERT INTO idempotency_keys (scope, key, fingerprint, status_code, response, created_at)
"""
_EXPOSE = """
    INSERT INTO daily_exposure (contributor_id, day, severity, seconds)
"""
_EXPOSE_UPSERT = "ON CONFLICT (contributor_id, day, severity) DO UPDATE SET seconds = daily_exposure.seconds + excluded.seconds"
_QUALITY = """
    INSERT INTO contributor_quality (project_id, contributor_id, gold_total, gold_correct, drifted)
"""
_QUALITY_UPSERT = """
    ON CONFLICT (project_id, contributor_id) DO UPDATE SET
      gold_total = contributor_quality.gold_total + 1,
      gold_correct = contributor_quality.gold_correct + excluded.gold_correct
    RETURNING gold_total, gold_correct, drifted
"""
_SUBMISSION_KINDS = dict(json_params=("answer", "response"), time_params=("now", "decided_at"))

RECORD_SUBMISSION_PG = RawQuery(
    f"""
    WITH finished AS (
      UPDATE assignments SET status = 'submitted', finished_at = :now
      WHERE id = :assignment_id AND contributor_id = :contributor_id AND status = 'leased'
        AND lease_expires_at >= :now
      RETURNING task_id
    ), stored AS (
      INSERT INTO submissions {_SUBMISSION_COLUMNS}
      SELECT {_SUBMISSION_VALUES.format(task_id="finished.task_id")} FROM finished
      RETURNING id, task_id
    ), completed AS (
      {_COMPLETE} FROM stored WHERE tasks.id = stored.task_id
      RETURNING (tasks.completed_count >= tasks.overlap)::int AS done
    ), counted AS (
      {_COUNTERS_INSERT} SELECT {_COUNTERS_VALUES.format(done="completed.done")} FROM completed
      {_COUNTERS_UPSERT}
    ), remembered AS (
      {_REMEMBER}
      SELECT :scope, :key, :fingerprint, 201,
             ((:response)::jsonb || jsonb_build_object('id', stored.id))::json, :now
      FROM stored WHERE CAST(:key AS VARCHAR) IS NOT NULL
    ), exposed AS (
      {_EXPOSE} SELECT :contributor_id, :day, :severity, :time_spent_seconds FROM stored WHERE :exposed
      {_EXPOSE_UPSERT}
    ), scored AS (
      {_QUALITY} SELECT :project_id, :contributor_id, 1, :gold_right, false FROM stored WHERE :is_gold
      {_QUALITY_UPSERT}
    )
    SELECT stored.id, completed.done::bool AS task_done,
           scored.gold_total, scored.gold_correct AS gold_right, scored.drifted
    FROM stored JOIN completed ON true LEFT JOIN scored ON true
    """,
    **_SUBMISSION_KINDS,
)
FINISH_SUBMITTED = RawQuery(
    """
    UPDATE assignments SET status = 'submitted', finished_at = :now
    WHERE id = :assignment_id AND contributor_id = :contributor_id AND status = 'leased' AND lease_expires_at >= :now
    RETURNING task_id
    """,
    time_params=("now",),
)
INSERT_SUBMISSION = RawQuery(
    f"INSERT INTO submissions {_SUBMISSION_COLUMNS} VALUES ({_SUBMISSION_VALUES.format(task_id=':task_id')}) RETURNING id",
    **_SUBMISSION_KINDS,
)
COMPLETE_ONE = RawQuery(
    f"{_COMPLETE} WHERE id = :task_id RETURNING completed_count >= overlap AS done",
    time_params=("now",),
    bool_cols=("done",),
)
COUNT_SUBMISSION = RawQuery(
    f"{_COUNTERS_INSERT} VALUES ({_COUNTERS_VALUES.format(done=':done')}) {_COUNTERS_UPSERT}"
)
REMEMBER_RESPONSE = RawQuery(
    f"{_REMEMBER} VALUES (:scope, :key, :fingerprint, 201, :response, :now)", **_SUBMISSION_KINDS
)
ADD_EXPOSURE = RawQuery(
    f"{_EXPOSE} VALUES (:contributor_id, :day, :severity, :time_spent_seconds) {_EXPOSE_UPSERT}"
)
SCORE_GOLD = RawQuery(
    f"{_QUALITY} VALUES (:project_id, :contributor_id, 1, :gold_right, false) {_QUALITY_UPSERT}",
    bool_cols=("drifted",),
)


async def record_submission(connection: RawConnection, **values: Any) -> dict[str, Any] | None:
    """Close the live lease as submitted and store everything that follows from the answer: the
    submission, the task's completion, the project counters, the response kept for replays (when there
    is a key), exposure and the gold score. None when the lease was not live any more: nothing is
    written then. `values["response"]` is the response body without the submission id, added here."""
    gold_correct = values["gold_correct"]
    values = {
        **values,
        "gold_total": int(gold_correct is not None),
        "gold_right": int(bool(gold_correct)),
        "accepted": int(values["outcome"] == "accepted"),
        "on_time_int": None if values["on_time"] is None else int(values["on_time"]),
        "exposed": values["severity"] != "none",
    }
    if _pg(connection):
        return await connection.fetchrow(RECORD_SUBMISSION_PG, values)
    finished = await connection.fetchrow(FINISH_SUBMITTED, values)
    if finished is None:
        return None
    values["task_id"] = finished["task_id"]
    submission_id = (await connection.fetchrow(INSERT_SUBMISSION, values))["id"]
    done = (await connection.fetchrow(COMPLETE_ONE, values))["done"]
    await connection.fetch(COUNT_SUBMISSION, {**values, "done": int(done)})
    if values["key"] is not None:
        response = {**values["response"], "id": submission_id}
        await connection.fetch(REMEMBER_RESPONSE, {**values, "response": response})
    if values["exposed"]:
        await connection.fetch(ADD_EXPOSURE, values)
    scored = await connection.fetchrow(SCORE_GOLD, values) if values["is_gold"] else {}
    return {
        "id": submission_id,
        "task_done": done,
        "gold_total": scored.get("gold_total"),
        "gold_right": scored.get("gold_correct"),
        "drifted": scored.get("drifted"),
    }


SET_DRIFTED = RawQuery(
    """
    UPDATE contributor_quality SET drifted = :drifted
    WHERE project_id = :project_id AND contributor_id = :contributor_id AND drifted <> :drifted
    RETURNING contributor_id
    """
)


async def mark_drifted(
    connection: RawConnection, *, project_id: int, contributor_id: int, drifted: bool
) -> bool:
    """Flip the contributor's drift flag; False when another request flipped it first."""
    row = await connection.fetchrow(
        SET_DRIFTED, {"project_id": project_id, "contributor_id": contributor_id, "drifted": drifted}
    )
    return row is not None
