"""Projects: creation, lifecycle (queues and grants follow it), bulk import, permissions, suspensions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Unpack

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.assignment.queries import release_held_leases
from services.tasks.events import publisher
from services.tasks.models import (
    Batch,
    Guideline,
    PermissionAudit,
    Project,
    Queue,
    QueuePermission,
    VendorSuspension,
)
from services.tasks.repository import projects as repo
from services.tasks.rules.importing import AnnotationsAs, UnreadableImport, parse_import
from services.tasks.rules.label_schema import schema_errors
from services.tasks.rules.transitions import CLOSED_STATUSES, allowed_targets
from services.tasks.schemas.projects import ProjectCreate, ProjectUpdate
from services.tasks.schemas.queues import PermissionCreate
from services.tasks.schemas.tasks import ImportResult
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, InvalidTransition, NotFound, Unprocessable
from shared.pagination import KeysetArgs
from shared.rawsql import session_connection

# Vetting restricts who may see the most harmful material; on milder content it would only shrink the
# workforce, so a project asks for vetted staff only when its content is high severity.
VETTED_STAFF_SEVERITIES = ("high",)


def _workforce_errors(*, vetted: bool, severity: str, crowd_sent: bool | None) -> list[dict]:
    """What is wrong with a vetted staff only setting; `crowd_sent` is the crowd_allowed sent, if any."""
    if not vetted:
        return []
    if severity not in VETTED_STAFF_SEVERITIES:
        detail = f"only a project of content_severity {' or '.join(VETTED_STAFF_SEVERITIES)} can be vetted staff only"
        return [
            {"pointer": "/vetted_staff_only", "field": "vetted_staff_only", "in": "body", "detail": detail}
        ]
    if crowd_sent:
        detail = "the crowd is not vendor staff: a vetted staff only project cannot allow it"
        return [{"pointer": "/crowd_allowed", "field": "crowd_allowed", "in": "body", "detail": detail}]
    return []


async def create_project(*, session: AsyncSession, data: ProjectCreate) -> Project:
    """A draft project whose label schema is valid (answers will be checked against it)."""
    errors = schema_errors(data.label_schema)
    if errors:
        raise Unprocessable("label_schema is not valid", errors=errors)
    crowd_sent = data.crowd_allowed if "crowd_allowed" in data.model_fields_set else None
    errors = _workforce_errors(
        vetted=data.vetted_staff_only, severity=data.content_severity, crowd_sent=crowd_sent
    )
    if errors:
        raise Unprocessable("the workforce settings are not valid", errors=errors)
    values = data.model_dump()
    if data.vetted_staff_only:
        # The crowd could never be eligible, so the default crowd grant is not made either.
        values["crowd_allowed"] = False
    return await repo.add_project(session, Project(**values))


async def get_project(*, session: AsyncSession, project_id: int, lock: bool = False) -> Project:
    project = await repo.get_project(session, project_id=project_id, lock=lock)
    if project is None:
        raise NotFound(f"project {project_id} not found")
    return project


async def list_projects(
    *,
    session: AsyncSession,
    principal: Principal,
    statuses: Sequence[str],
    name_contains: str | None,
    **page: Unpack[KeysetArgs],
) -> tuple[list[Project], str | None]:
    """A page of the projects the caller may read, filtered and sorted, and the next page's cursor."""
    rows = await repo.list_projects(
        session, principal=principal, statuses=statuses, name_contains=name_contains, now=utcnow(), **page
    )
    return repo.PROJECT_KEYSET.page(rows, sort=page["sort"], limit=page["limit"])


async def list_queues(
    *, session: AsyncSession, project_id: int, limit: int, after_id: int | None
) -> list[Queue]:
    project = await get_project(session=session, project_id=project_id)
    return await repo.list_queues(session, project_id=project.id, limit=limit, after_id=after_id)


async def permission_audit(
    *, session: AsyncSession, project_id: int, limit: int, after_id: int | None
) -> list[PermissionAudit]:
    """Every grant, revoke, expiry, suspension and restore on the project's queues, with who and why."""
    project = await get_project(session=session, project_id=project_id)
    return await repo.permission_audit(session, project_id=project.id, limit=limit, after_id=after_id)


def _actor(principal: Principal) -> str:
    return principal.subject


def _touch(project: Project) -> None:
    """Record a change: the version the ETag is built from moves on."""
    project.version += 1
    project.updated_at = utcnow()


# Settings that are optional on a project; the others may change but never be cleared.
_CLEARABLE = {
    "required_qualification",
    "required_qualification_score",
    "sla_turnaround_hours",
    "min_quality",
    "daily_quota",
    "starts_at",
    "ends_at",
    "deadline",
    "planned_handling_seconds",
    "planned_hours_per_day",
}


async def update_project(*, session: AsyncSession, project: Project, data: ProjectUpdate) -> Project:
    """Apply the settings sent; the caller has already matched If-Match against the version read."""
    values = data.model_dump(exclude_unset=True)
    errors = [
        {"pointer": f"/{name}", "field": name, "in": "body", "detail": "cannot be null"}
        for name, value in values.items()
        if value is None and name not in _CLEARABLE
    ]
    starts, ends = values.get("starts_at", project.starts_at), values.get("ends_at", project.ends_at)
    if starts and ends and ends <= starts:
        errors.append(
            {"pointer": "/ends_at", "field": "ends_at", "in": "body", "detail": "must be after starts_at"}
        )
    if "locales" in values and values["locales"] != project.locales:
        # Tasks are claimed by their locale's language: a change may not leave unfinished ones unclaimable.
        for locale in await repo.stranded_locales(session, project_id=project.id, accepted=values["locales"]):
            detail = f"unfinished tasks are in {locale}" if locale else "unfinished tasks have no locale"
            errors.append({"pointer": "/locales", "field": "locales", "in": "body", "detail": detail})
    vetted = values.get("vetted_staff_only", project.vetted_staff_only)
    errors += _workforce_errors(
        vetted=vetted, severity=project.content_severity, crowd_sent=values.get("crowd_allowed")
    )
    if errors:
        raise Unprocessable("the update is not valid", errors=errors)
    if vetted:  # as on creation: the crowd can never be eligible
        values["crowd_allowed"] = False
    for name, value in values.items():
        setattr(project, name, value)
    _touch(project)
    return await repo.save_project(session, project)


async def transition_project(
    *, session: AsyncSession, principal: Principal, project_id: int, to: str
) -> Project:
    """Move along the lifecycle table; activation opens queues and grants, completion revokes every grant."""
    project = await get_project(session=session, project_id=project_id, lock=True)
    allowed = allowed_targets(project.status)
    if to not in allowed:
        raise InvalidTransition(project.status, to, allowed)
    previous, project.status = project.status, to
    _touch(project)
    if to == "active" and previous == "draft":
        labeling, review = await repo.ensure_queues(session, project_id=project.id)
        await _grant_from_rules(session, project=project, queue=labeling, actor=_actor(principal))
    elif to == "completed":
        live = await repo.list_live_permissions(session, project_id=project.id)
        now = utcnow()
        for permission in live:
            permission.revoked_at = now
        await session.flush()
        await repo.audit(
            session, permissions=live, action="revoke", actor=_actor(principal), reason="project completed"
        )
        # Its held leases end with it; submit refuses them too (assignment/preconditions.py).
        await release_held_leases(await session_connection(session), now=now, project_id=project.id)
    session.add(project)
    await session.flush()
    await publisher.publish(
        session, "project.status_changed", {"project_id": project.id, "from": previous, "to": to}
    )
    return project


async def _grant_from_rules(session: AsyncSession, *, project: Project, queue: Queue, actor: str) -> None:
    grants = [
        QueuePermission(queue_id=queue.id, project_id=project.id, vendor_id=v, role="labeler", source="rule")
        for v in project.allowed_vendors
    ]
    if project.crowd_allowed:
        grants.append(
            QueuePermission(
                queue_id=queue.id, project_id=project.id, crowd=True, role="labeler", source="rule"
            )
        )
    for grant in grants:
        session.add(grant)
    await session.flush()
    await repo.audit(session, permissions=grants, action="grant", actor=actor, reason="project rules")


async def import_tasks(
    *,
    session: AsyncSession,
    project_id: int,
    body: bytes,
    content_type: str,
    batch_name: str | None,
    annotations_as: AnnotationsAs = "prelabels",
) -> ImportResult:
    """Insert every valid row (bulk, no ORM objects) as one batch and report the others by the file's own
    row number, and the keys it did not use as warnings."""
    project = await get_project(session=session, project_id=project_id)
    if project.status in CLOSED_STATUSES:
        raise Conflict(f"project {project_id} is {project.status}; it takes no new tasks")
    try:
        parsed = parse_import(
            body,
            content_type,
            label_schema=project.label_schema,
            annotations_as=annotations_as,
            locales=tuple(project.locales),
        )
    except UnreadableImport as exc:
        raise Unprocessable(
            str(exc), errors=[{"pointer": "/", "field": "body", "in": "body", "detail": str(exc)}]
        ) from exc
    if not parsed.tasks:
        # Nothing importable (no rows, or every row refused) is a failed request, not an empty success;
        # as soon as one row is good the import goes ahead and reports the bad ones by row.
        detail = "the body holds no valid task rows"
        errors = [{"pointer": f"/{e['row'] - 1}", "field": "body", "in": "body", **e} for e in parsed.errors]
        raise Unprocessable(
            detail, errors=errors or [{"pointer": "/", "field": "body", "in": "body", "detail": detail}]
        )
    now = utcnow()
    # One row for the whole import; its counts are filled in once the rows are known.
    batch = await repo.add_batch(session, Batch(project_id=project.id, name=batch_name, created_at=now))
    accepted = parsed.tasks
    gold = sum(1 for t in accepted if t.gold_answer is not None)
    await repo.insert_tasks(
        session,
        project_id=project.id,
        overlap=project.overlap,
        batch_id=batch.id,
        created_at=now,
        tasks=accepted,
    )
    batch.task_count, batch.gold_count = len(accepted), gold
    await repo.add_to_counters(session, project_id=project.id, shard=0, tasks_imported=len(accepted))
    return ImportResult(
        batch_id=batch.id,
        imported=len(accepted),
        rejected=parsed.rejected,
        gold=gold,
        prelabeled=sum(1 for t in accepted if t.prelabels),
        errors=parsed.errors,
        warnings=parsed.warnings,
    )


async def list_batches(
    *, session: AsyncSession, project_id: int, limit: int, after_id: int | None
) -> list[dict]:
    """The project's imports with their task, gold and completed counts."""
    project = await get_project(session=session, project_id=project_id)
    batches = await repo.list_batches(session, project_id=project.id, limit=limit, after_id=after_id)
    unfinished = await repo.unfinished_by_batch(
        session, project_id=project.id, batch_ids=[b.id for b in batches]
    )
    return [
        {
            "id": b.id,
            "name": b.name,
            "tasks": b.task_count,
            "gold": b.gold_count,
            "completed": b.task_count - unfinished.get(b.id, 0),
            "created_at": b.created_at,
        }
        for b in batches
    ]


async def publish_guidelines(
    *, session: AsyncSession, principal: Principal, project_id: int, body: str
) -> Guideline:
    """A new version of the project's guidelines (the project row is locked, so versions never clash)."""
    project = await get_project(session=session, project_id=project_id, lock=True)
    latest = await repo.latest_guideline(session, project_id=project.id)
    guideline = Guideline(
        project_id=project.id,
        version=latest.version + 1 if latest else 1,
        body=body,
        created_by=_actor(principal),
    )
    return await repo.add_guideline(session, guideline)


async def get_guidelines_project(*, session: AsyncSession, principal: Principal, project_id: int) -> Project:
    """The project whose guidelines the caller may read (repository.projects.readable_projects); any other
    project is not found, so its existence is not revealed."""
    project = await repo.get_readable_project(
        session, principal=principal, project_id=project_id, now=utcnow()
    )
    if project is None:
        raise NotFound(f"project {project_id} not found")
    return project


async def latest_guidelines(*, session: AsyncSession, principal: Principal, project_id: int) -> Guideline:
    project = await get_guidelines_project(session=session, principal=principal, project_id=project_id)
    guideline = await repo.latest_guideline(session, project_id=project.id)
    if guideline is None:
        raise NotFound(f"project {project_id} has no guidelines yet")
    return guideline


async def guidelines_version(
    *, session: AsyncSession, principal: Principal, project_id: int, version: int
) -> Guideline:
    project = await get_guidelines_project(session=session, principal=principal, project_id=project_id)
    guideline = await repo.get_guideline(session, project_id=project.id, version=version)
    if guideline is None:
        raise NotFound(f"project {project_id} has no guidelines version {version}")
    return guideline


async def guideline_versions(
    *, session: AsyncSession, principal: Principal, project_id: int, limit: int, after_version: int | None
) -> list:
    project = await get_guidelines_project(session=session, principal=principal, project_id=project_id)
    return await repo.guideline_versions(
        session=session, project_id=project.id, limit=limit, after_version=after_version
    )


async def get_queue(*, session: AsyncSession, queue_id: int) -> Queue:
    queue = await repo.get_queue(session, queue_id=queue_id)
    if queue is None:
        raise NotFound(f"queue {queue_id} not found")
    return queue


async def grant_queue_permission(
    session: AsyncSession, *, principal: Principal, queue_id: int, data: PermissionCreate
) -> QueuePermission:
    """Give a contributor, a vendor or the crowd a role on a queue (audited); a completed or archived
    project takes no new grant."""
    queue = await get_queue(session=session, queue_id=queue_id)
    # Shared with other grants, exclusive of a completion: a grant given while the project completes is
    # either among the grants completion revokes or sees the project completed, never left live after it.
    project = await repo.get_project(session, project_id=queue.project_id, share=True)
    if project.status in CLOSED_STATUSES:
        raise Conflict(f"project {project.id} is {project.status}: it takes no new grant")
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise Unprocessable(
            "expires_at must be in the future",
            errors=[{"pointer": "/expires_at", "field": "expires_at", "in": "body", "detail": "in the past"}],
        )
    permission = await repo.add_permission(
        session, QueuePermission(queue_id=queue.id, project_id=queue.project_id, **data.model_dump())
    )
    await repo.audit(session, permissions=[permission], action="grant", actor=_actor(principal))
    return permission


async def list_queue_permissions(
    session: AsyncSession,
    *,
    queue_id: int,
    include_ended: bool,
    contributor_id: int | None,
    **page: Unpack[KeysetArgs],
) -> tuple[list[QueuePermission], str | None]:
    """A page of the grants working now; with `include_ended`, of every grant ever given (revoked and
    expired too); with `contributor_id`, of those given to that contributor itself. And the next cursor."""
    await get_queue(session=session, queue_id=queue_id)
    rows = await repo.list_permissions(
        session,
        queue_id=queue_id,
        working_at=None if include_ended else utcnow(),
        contributor_id=contributor_id,
        **page,
    )
    return repo.PERMISSION_KEYSET.page(rows, sort=page["sort"], limit=page["limit"])


async def revoke_queue_permission(
    session: AsyncSession,
    *,
    principal: Principal,
    queue_id: int,
    permission_id: int,
    reason: str | None = None,
) -> None:
    permission = await repo.get_permission(session, queue_id=queue_id, permission_id=permission_id)
    if permission is None:
        raise NotFound(f"permission {permission_id} not found on queue {queue_id}")
    permission.revoked_at = utcnow()
    session.add(permission)
    await session.flush()
    await repo.audit(
        session, permissions=[permission], action="revoke", actor=_actor(principal), reason=reason
    )


async def sweep_expired_permissions(*, session: AsyncSession, now: datetime) -> int:
    """Revoke grants past their expiry (they already stopped working at expiry; this records it)."""
    expired = await repo.expired_permissions(session, now=now)
    for permission in expired:
        permission.revoked_at = now
    await session.flush()
    await repo.audit(session, permissions=expired, action="expire", actor="sweeper")
    return len(expired)


async def suspend_vendor(
    *, session: AsyncSession, principal: Principal, project_id: int, vendor_id: int, reason: str
) -> dict:
    """Suspend all of a vendor's permissions on the project (e.g. its budget hit the hard cap).

    Suspensions and restores of a project take its row lock, so each finds the suspension as the one
    before it left it: a second suspension keeps the first's row, a second restore finds none (404)."""
    project = await get_project(session=session, project_id=project_id, lock=True)
    if await repo.get_suspension(session, project_id=project.id, vendor_id=vendor_id) is None:
        await repo.add_suspension(
            session, VendorSuspension(project_id=project.id, vendor_id=vendor_id, reason=reason)
        )
    permissions = await repo.permissions_of_vendor(session, project_id=project.id, vendor_id=vendor_id)
    await repo.set_suspended(session, permission_ids=[p.id for p in permissions], suspended=True)
    await repo.audit(
        session, permissions=permissions, action="suspend", actor=_actor(principal), reason=reason
    )
    return {
        "project_id": project.id,
        "vendor_id": vendor_id,
        "reason": reason,
        "permissions_suspended": len(permissions),
    }


async def restore_vendor(
    *, session: AsyncSession, principal: Principal, project_id: int, vendor_id: int
) -> None:
    project = await get_project(session=session, project_id=project_id, lock=True)
    suspension = await repo.get_suspension(session, project_id=project.id, vendor_id=vendor_id)
    if suspension is None:
        raise NotFound(f"vendor {vendor_id} is not suspended on project {project_id}")
    await repo.delete_suspension(session, suspension)
    permissions = await repo.permissions_of_vendor(session, project_id=project.id, vendor_id=vendor_id)
    await repo.set_suspended(session, permission_ids=[p.id for p in permissions], suspended=False)
    await repo.audit(session, permissions=permissions, action="restore", actor=_actor(principal))
