"""Queries on projects, queues, queue permissions, their audit and vendor suspensions; `readable_projects`
scopes a caller's reads of projects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Unpack

import orjson
from sqlalchemy import Select, and_, delete, false, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.deps import PROJECT_READERS
from services.tasks.models import (
    Batch,
    ContributorProfile,
    Guideline,
    PermissionAudit,
    Project,
    ProjectCounter,
    ProjectRequirement,
    Queue,
    QueuePermission,
    Task,
    VendorSuspension,
)
from services.tasks.rules.eligibility import language_code
from shared.auth import Principal
from shared.db import dialect_of
from shared.pagination import Keyset, KeysetArgs, SortColumn, as_datetime
from shared.rawsql import RawQuery, session_connection

# Never: what a missing deadline or expiry sorts as (after every dated one).
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
PROJECT_KEYSET = Keyset(
    columns={
        "id": SortColumn(Project.id, int),
        "name": SortColumn(Project.name, str),
        "created_at": SortColumn(Project.created_at, as_datetime),
        "deadline": SortColumn(Project.deadline, as_datetime, null_as=NEVER),
    },
    id_column=Project.id,
)
# Grants in the order they were given, or by expiry (a grant that never expires last).
PERMISSION_KEYSET = Keyset(
    columns={
        "id": SortColumn(QueuePermission.id, int),
        "expires_at": SortColumn(QueuePermission.expires_at, as_datetime, null_as=NEVER),
    },
    id_column=QueuePermission.id,
)


async def add_project(session: AsyncSession, project: Project) -> Project:
    session.add(project)
    return await save_project(session, project)


async def save_project(session: AsyncSession, project: Project) -> Project:
    """Flush the project and keep its required languages and skills and its locales' languages as rows
    (the lease statement joins them)."""
    await session.flush()
    await session.execute(delete(ProjectRequirement).where(ProjectRequirement.project_id == project.id))
    rows = {("language", language_code(code)) for code in project.required_languages}
    rows |= {("skill", skill) for skill in project.required_skills}
    rows |= {("locale", language_code(locale)) for locale in project.locales}
    if rows:
        await session.execute(
            insert(ProjectRequirement),
            [{"project_id": project.id, "kind": kind, "value": value} for kind, value in sorted(rows)],
        )
    return project


async def get_project(
    session: AsyncSession, *, project_id: int, lock: bool = False, share: bool = False
) -> Project | None:
    """`lock` for a change of the project itself; `share` for a write that depends on its status (no
    change of it commits until the write does, and writes sharing it do not wait for each other)."""
    stmt = select(Project).where(Project.id == project_id)
    if (lock or share) and dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update(read=not lock)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_projects(
    session: AsyncSession,
    *,
    principal: Principal,
    statuses: Sequence[str],
    name_contains: str | None,
    now: datetime,
    **page: Unpack[KeysetArgs],
) -> list[Project]:
    """One sorted page (and a row more) of the projects the caller may read, of any of `statuses` (all
    when empty) and named with `name_contains` (any case)."""
    stmt = readable_projects(principal, now=now)
    if statuses:
        stmt = stmt.where(Project.status.in_(statuses))
    if name_contains:
        stmt = stmt.where(func.lower(Project.name).contains(name_contains.lower(), autoescape=True))
    return list((await session.execute(PROJECT_KEYSET.apply(stmt, **page))).scalars())


async def ensure_queues(session: AsyncSession, *, project_id: int) -> list[Queue]:
    queues = await session.execute(select(Queue).where(Queue.project_id == project_id))
    existing = {q.kind: q for q in queues.scalars()}
    for kind in ("labeling", "review"):
        if kind not in existing:
            queue = Queue(project_id=project_id, kind=kind)
            session.add(queue)
            existing[kind] = queue
    await session.flush()
    return [existing["labeling"], existing["review"]]


async def list_queues(
    session: AsyncSession, *, project_id: int, limit: int, after_id: int | None
) -> list[Queue]:
    stmt = select(Queue).where(Queue.project_id == project_id).order_by(Queue.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(Queue.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def get_queue(session: AsyncSession, *, queue_id: int) -> Queue | None:
    return await session.get(Queue, queue_id)


async def add_permission(session: AsyncSession, permission: QueuePermission) -> QueuePermission:
    session.add(permission)
    await session.flush()
    return permission


async def list_live_permissions(
    session: AsyncSession,
    *,
    queue_id: int | None = None,
    project_id: int | None = None,
    contributor_id: int | None = None,
) -> list[QueuePermission]:
    """Grants not revoked (an expired one is live until the sweep records its expiry), locked for the
    revocation the caller makes: a grant revoked meanwhile (get_permission) is waited for and left out,
    so it is not revoked, and audited, a second time."""
    stmt = (
        select(QueuePermission)
        .where(QueuePermission.revoked_at.is_(None))
        .order_by(QueuePermission.id)
        .with_for_update()
    )
    if contributor_id is not None:
        stmt = stmt.where(QueuePermission.contributor_id == contributor_id)
    if queue_id is not None:
        stmt = stmt.where(QueuePermission.queue_id == queue_id)
    if project_id is not None:
        stmt = stmt.where(QueuePermission.project_id == project_id)
    return list((await session.execute(stmt)).scalars())


async def list_permissions(
    session: AsyncSession,
    *,
    queue_id: int,
    working_at: datetime | None,
    contributor_id: int | None,
    **page: Unpack[KeysetArgs],
) -> list[QueuePermission]:
    """A sorted page (and a row more) of the queue's grants: those working at `working_at` (neither revoked
    nor expired), or every grant ever given (None); those of one contributor when given
    (ix_queue_permissions_queue_contributor finds them however many the queue has)."""
    stmt = select(QueuePermission).where(QueuePermission.queue_id == queue_id)
    if working_at is not None:
        stmt = stmt.where(
            QueuePermission.revoked_at.is_(None),
            or_(QueuePermission.expires_at.is_(None), QueuePermission.expires_at > working_at),
        )
    if contributor_id is not None:
        stmt = stmt.where(QueuePermission.contributor_id == contributor_id)
    return list((await session.execute(PERMISSION_KEYSET.apply(stmt, **page))).scalars())


async def get_permission(
    session: AsyncSession, *, queue_id: int, permission_id: int
) -> QueuePermission | None:
    """A live grant, locked: of two revocations racing, the second finds it revoked (404), so a grant is
    revoked, and audited, once."""
    stmt = (
        select(QueuePermission)
        .where(
            QueuePermission.id == permission_id,
            QueuePermission.queue_id == queue_id,
            QueuePermission.revoked_at.is_(None),
        )
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def audit(
    session: AsyncSession,
    *,
    permissions: list[QueuePermission],
    action: str,
    actor: str,
    reason: str | None = None,
) -> None:
    if not permissions:
        return
    await session.execute(
        insert(PermissionAudit),
        [
            {
                "permission_id": p.id,
                "contributor_id": p.contributor_id,
                "vendor_id": p.vendor_id,
                "crowd": p.crowd,
                "role": p.role,
                "expires_at": p.expires_at,
                "queue_id": p.queue_id,
                "action": action,
                "actor": actor,
                "reason": reason,
            }
            for p in permissions
        ],
    )


async def revoke_grants_of(session: AsyncSession, *, contributor_id: int, now: datetime, reason: str) -> int:
    """End every direct grant of a contributor who left (offboarded, erased), audited with the cause."""
    live = await list_live_permissions(session, contributor_id=contributor_id)
    for permission in live:
        permission.revoked_at = now
    await session.flush()
    await audit(session, permissions=live, action="revoke", actor="contributors", reason=reason)
    return len(live)


async def permission_audit(
    session: AsyncSession, *, project_id: int, limit: int, after_id: int | None
) -> list[Any]:
    """The project's permission history, oldest first (for the security audit)."""
    stmt = (
        select(PermissionAudit)
        .join(Queue, Queue.id == PermissionAudit.queue_id)
        .where(Queue.project_id == project_id)
        .order_by(PermissionAudit.id)
        .limit(limit + 1)
    )
    if after_id is not None:
        stmt = stmt.where(PermissionAudit.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def expired_permissions(session: AsyncSession, *, now: datetime) -> list[QueuePermission]:
    """Live grants past their expiry, locked in id order as list_live_permissions locks them."""
    stmt = (
        select(QueuePermission)
        .where(
            QueuePermission.revoked_at.is_(None),
            QueuePermission.expires_at.is_not(None),
            QueuePermission.expires_at <= now,
        )
        .order_by(QueuePermission.id)
        .with_for_update()
    )
    return list((await session.execute(stmt)).scalars())


async def permissions_of_vendor(
    session: AsyncSession, *, project_id: int, vendor_id: int
) -> list[QueuePermission]:
    stmt = select(QueuePermission).where(
        QueuePermission.project_id == project_id,
        QueuePermission.vendor_id == vendor_id,
        QueuePermission.revoked_at.is_(None),
    )
    return list((await session.execute(stmt)).scalars())


async def set_suspended(session: AsyncSession, *, permission_ids: list[int], suspended: bool) -> None:
    if permission_ids:
        await session.execute(
            update(QueuePermission).where(QueuePermission.id.in_(permission_ids)).values(suspended=suspended)
        )


async def get_suspension(
    session: AsyncSession, *, project_id: int, vendor_id: int
) -> VendorSuspension | None:
    return await session.get(VendorSuspension, (project_id, vendor_id))


async def add_suspension(session: AsyncSession, suspension: VendorSuspension) -> None:
    session.add(suspension)
    await session.flush()


async def delete_suspension(session: AsyncSession, suspension: VendorSuspension) -> None:
    await session.delete(suspension)
    await session.flush()


_INSERT_TASK = RawQuery(
    """
    INSERT INTO tasks (project_id, data, priority, rank, due_at, gold_answer, is_gold, overlap,
                       assigned_count, completed_count, batch_id, created_at, external_id, prelabels,
                       locale, language)
    VALUES (:project_id, :data, :priority, :rank, :due_at, :gold_answer, :is_gold, :overlap, 0, 0,
            :batch_id, :created_at, :external_id, :prelabels, :locale, :language)
    """,
    json_params=("data", "gold_answer", "prelabels"),
    time_params=("due_at", "created_at"),
)


# PostgreSQL takes a chunk of rows as arrays in one statement: executing one INSERT per row (even
# pipelined) cost more on the server than everything else in an import.
_INSERT_TASKS_PG = RawQuery(
    """
    INSERT INTO tasks (project_id, data, priority, rank, due_at, gold_answer, is_gold, overlap,
                       assigned_count, completed_count, batch_id, created_at, external_id, prelabels,
                       locale, language)
    SELECT :project_id, u.data::json, u.priority, -u.priority, u.due_at, u.gold_answer::json, u.is_gold,
           :overlap, 0, 0, :batch_id, :created_at, u.external_id, u.prelabels::json, u.locale, u.language
    FROM unnest(:datas::text[], :priorities::int[], :dues::timestamptz[], :golds::text[], :is_golds::bool[],
                :external_ids::text[], :prelabels::text[], :locales::text[], :languages::text[])
         AS u(data, priority, due_at, gold_answer, is_gold, external_id, prelabels, locale, language)
    """
)
IMPORT_CHUNK = 10_000
# An import this large refreshes the planner's statistics on tasks before it commits. Until autovacuum
# gets to it (a minute or more later) the claim's plan is made for the old table; for a new project's
# first claims that plan was measured at 50-80 ms a `next` instead of 4 (bench/README.md).
ANALYZE_AFTER_ROWS = 1_000
_ANALYZE_TASKS = RawQuery("ANALYZE tasks")


async def insert_tasks(
    session: AsyncSession, *, project_id: int, overlap: int, batch_id: int, created_at: datetime, tasks: list
) -> None:
    """Bulk insert of parsed tasks in the session's transaction, on the driver (SQLAlchemy's per-row
    parameter processing cost more than the inserts themselves)."""
    connection = await session_connection(session)
    shared = {"project_id": project_id, "overlap": overlap, "batch_id": batch_id, "created_at": created_at}
    if connection.dialect != "postgresql":
        rows = [
            {
                **shared,
                "data": t.data,
                "priority": t.priority,
                "rank": -t.priority,
                "due_at": t.due_at,
                "gold_answer": t.gold_answer,
                "is_gold": t.gold_answer is not None,
                "external_id": t.external_id,
                "prelabels": t.prelabels or None,
                "locale": t.locale,
                "language": language_code(t.locale) if t.locale else "",
            }
            for t in tasks
        ]
        await connection.execute_many(_INSERT_TASK, rows)
        return
    dumps = orjson.dumps
    for start in range(0, len(tasks), IMPORT_CHUNK):
        chunk = tasks[start : start + IMPORT_CHUNK]
        await connection.fetch(
            _INSERT_TASKS_PG,
            {
                **shared,
                "datas": [dumps(t.data).decode() for t in chunk],
                "priorities": [t.priority for t in chunk],
                "dues": [t.due_at for t in chunk],
                "golds": [None if t.gold_answer is None else dumps(t.gold_answer).decode() for t in chunk],
                "is_golds": [t.gold_answer is not None for t in chunk],
                "external_ids": [t.external_id for t in chunk],
                "prelabels": [dumps(t.prelabels).decode() if t.prelabels else None for t in chunk],
                "locales": [t.locale for t in chunk],
                "languages": [language_code(t.locale) if t.locale else "" for t in chunk],
            },
        )
    if len(tasks) >= ANALYZE_AFTER_ROWS:
        # Inside the import's transaction ANALYZE counts its own uncommitted rows as live.
        await connection.fetch(_ANALYZE_TASKS, {})


async def stranded_locales(
    session: AsyncSession, *, project_id: int, accepted: list[str]
) -> list[str | None]:
    """The locales (None: no locale) of the project's unfinished tasks that `accepted` would leave
    unclaimable: a project with locales claims only tasks in one of them, one without only tasks with none."""
    stranded = (
        Task.locale.is_not(None) if not accepted else or_(Task.locale.is_(None), Task.locale.not_in(accepted))
    )
    stmt = (
        select(Task.locale)
        .where(Task.project_id == project_id, Task.completed_count < Task.overlap, stranded)
        .distinct()
    )
    return sorted((await session.execute(stmt)).scalars(), key=lambda locale: locale or "")


async def add_to_counters(session: AsyncSession, *, project_id: int, shard: int, **deltas: int) -> None:
    """Add to a project's running totals (an upsert on one shard row, so no read-modify-write race)."""
    table = ProjectCounter.__table__
    names = list(deltas)
    module = postgresql if dialect_of(session) == "postgresql" else sqlite
    # Columns not mentioned start at their defaults on insert.
    defaults = {c.name: 0 for c in table.c if c.name not in ("project_id", "shard") and c.name not in names}
    stmt = module.insert(table).values(project_id=project_id, shard=shard, **defaults, **deltas)
    stmt = stmt.on_conflict_do_update(
        index_elements=["project_id", "shard"],
        set_={n: getattr(table.c, n) + getattr(stmt.excluded, n) for n in names},
    )
    await session.execute(stmt)


def readable_projects(principal: Principal, *, now: datetime) -> Select:
    """Project readers see every project; a contributor those it may work on now (a live grant on one of
    their queues); anyone else none.

    The grant rule of `next` (the `permitted` lease precondition, assignment/preconditions.py): live, unexpired, not suspended, and given to the
    contributor, to the vendor of their profile, or to the crowd when their profile has no vendor.
    """
    stmt = select(Project)
    if principal.has_any(*PROJECT_READERS):
        return stmt
    if principal.contributor_id is None:
        return stmt.where(false())
    contributor_id, profile = principal.contributor_id, ContributorProfile
    grantee = or_(
        QueuePermission.contributor_id == contributor_id,
        and_(QueuePermission.vendor_id.is_not(None), QueuePermission.vendor_id == profile.vendor_id),
        and_(
            QueuePermission.crowd.is_(True), profile.contributor_id.is_not(None), profile.vendor_id.is_(None)
        ),
    )
    live_grant = (
        select(QueuePermission.id)
        .join(Queue, Queue.id == QueuePermission.queue_id)
        .outerjoin(profile, profile.contributor_id == contributor_id)
        .where(
            Queue.project_id == Project.id,
            QueuePermission.revoked_at.is_(None),
            QueuePermission.suspended.is_(False),
            or_(QueuePermission.expires_at.is_(None), QueuePermission.expires_at > now),
            grantee,
        )
    )
    return stmt.where(live_grant.exists())


async def get_readable_project(
    session: AsyncSession, *, principal: Principal, project_id: int, now: datetime
) -> Project | None:
    stmt = readable_projects(principal, now=now).where(Project.id == project_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_batch(session: AsyncSession, batch: Batch) -> Batch:
    session.add(batch)
    await session.flush()
    return batch


async def list_batches(
    session: AsyncSession, *, project_id: int, limit: int, after_id: int | None
) -> list[Batch]:
    stmt = select(Batch).where(Batch.project_id == project_id).order_by(Batch.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(Batch.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def unfinished_by_batch(
    session: AsyncSession, *, project_id: int, batch_ids: list[int]
) -> dict[int, int]:
    """Unfinished tasks per batch, read through the partial index of unfinished tasks (finished ones cost nothing)."""
    if not batch_ids:
        return {}
    stmt = (
        select(Task.batch_id, func.count())
        .where(
            Task.project_id == project_id, Task.completed_count < Task.overlap, Task.batch_id.in_(batch_ids)
        )
        .group_by(Task.batch_id)
    )
    return {batch_id: int(n) for batch_id, n in (await session.execute(stmt)).all()}


async def latest_guideline(session: AsyncSession, *, project_id: int) -> Guideline | None:
    stmt = (
        select(Guideline)
        .where(Guideline.project_id == project_id)
        .order_by(Guideline.version.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_guideline(session: AsyncSession, guideline: Guideline) -> Guideline:
    session.add(guideline)
    await session.flush()
    return guideline


async def guideline_versions(
    session: AsyncSession, *, project_id: int, limit: int, after_version: int | None
) -> list[Any]:
    """Version, author and time of each version (not the bodies), oldest first."""
    columns = (Guideline.version, Guideline.created_by, Guideline.created_at)
    stmt = (
        select(*columns)
        .where(Guideline.project_id == project_id)
        .order_by(Guideline.version)
        .limit(limit + 1)
    )
    if after_version is not None:
        stmt = stmt.where(Guideline.version > after_version)
    return list((await session.execute(stmt)).all())


async def get_guideline(session: AsyncSession, *, project_id: int, version: int) -> Guideline | None:
    stmt = select(Guideline).where(Guideline.project_id == project_id, Guideline.version == version)
    return (await session.execute(stmt)).scalar_one_or_none()
