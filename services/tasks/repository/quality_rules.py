"""Queries of quality rules: the rules, their firings (`readable_firings` scopes a caller's reads), the
evaluator's watermark and what it reads, queue bans."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import Select, bindparam, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.deps import PROJECT_READERS
from services.tasks.models import (
    PermissionAudit,
    Project,
    QualityRule,
    QualityRuleFiring,
    QualityWatermark,
    Queue,
    QueueBan,
)
from services.tasks.repository import typed_sql
from shared.auth import Principal
from shared.db import dialect_of
from shared.pagination import Keyset, KeysetArgs, SortColumn
from shared.tenancy import scoped_to_caller


async def add_rule(session: AsyncSession, rule: QualityRule) -> QualityRule:
    session.add(rule)
    await session.flush()
    return rule


async def live_rules(session: AsyncSession, *, project_id: int) -> list[QualityRule]:
    stmt = (
        select(QualityRule)
        .where(QualityRule.project_id == project_id, QualityRule.deleted_at.is_(None))
        .order_by(QualityRule.id)
    )
    return list((await session.execute(stmt)).scalars())


async def list_live_rules(
    session: AsyncSession, *, project_id: int, limit: int, after_id: int | None
) -> list[QualityRule]:
    """One page of the project's rules in force, oldest first (limit+1 rows: the extra one says more)."""
    stmt = (
        select(QualityRule)
        .where(QualityRule.project_id == project_id, QualityRule.deleted_at.is_(None))
        .order_by(QualityRule.id)
        .limit(limit + 1)
    )
    if after_id is not None:
        stmt = stmt.where(QualityRule.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def get_live_rule(session: AsyncSession, *, project_id: int, rule_id: int) -> QualityRule | None:
    """The rule, not deleted, locked for its deletion: of two deletions racing, the second finds none."""
    stmt = (
        select(QualityRule)
        .where(
            QualityRule.id == rule_id, QualityRule.project_id == project_id, QualityRule.deleted_at.is_(None)
        )
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def readable_firings(principal: Principal) -> Select:
    """Firings carry a contributor's measured quality: project readers see them, anyone else none."""
    return scoped_to_caller(select(QualityRuleFiring), principal, readers=PROJECT_READERS)


FIRING_KEYSET = Keyset(columns={"id": SortColumn(QualityRuleFiring.id, int)}, id_column=QualityRuleFiring.id)


async def list_firings(
    session: AsyncSession, *, principal: Principal, project_id: int, **page: Unpack[KeysetArgs]
) -> list[QualityRuleFiring]:
    """A page (and a row more) of the project's firings in the order they fired, or newest first (`-id`)."""
    stmt = readable_firings(principal).where(QualityRuleFiring.project_id == project_id)
    return list((await session.execute(FIRING_KEYSET.apply(stmt, **page))).scalars())


async def add_firing(session: AsyncSession, firing: QualityRuleFiring) -> QualityRuleFiring:
    session.add(firing)
    await session.flush()
    return firing


async def last_firing_at(session: AsyncSession, *, rule_id: int, contributor_id: int) -> datetime | None:
    stmt = (
        select(QualityRuleFiring.at)
        .where(QualityRuleFiring.rule_id == rule_id, QualityRuleFiring.contributor_id == contributor_id)
        .order_by(QualityRuleFiring.at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def projects_to_evaluate(session: AsyncSession) -> list[int]:
    """Running projects that have a live rule or revoke automatically on drift."""
    has_rule = (
        select(QualityRule.id)
        .where(QualityRule.project_id == Project.id, QualityRule.deleted_at.is_(None))
        .exists()
    )
    drift_revoke = Project.auto_revoke_on_drift.is_(True) & Project.min_quality.is_not(None)
    stmt = (
        select(Project.id)
        .where(Project.status.in_(("active", "paused")), or_(has_rule, drift_revoke))
        .order_by(Project.id)
    )
    return list((await session.execute(stmt)).scalars())


async def lock_watermark(session: AsyncSession, *, project_id: int, now: datetime) -> QualityWatermark:
    """The project's watermark, locked so two evaluators (replicas, sweeper and endpoint) never overlap."""
    table = QualityWatermark.__table__
    module = postgresql if dialect_of(session) == "postgresql" else sqlite
    await session.execute(
        module.insert(table)
        .values(project_id=project_id, submission_id=0, assignment_id=0, evaluated_at=now)
        .on_conflict_do_nothing(index_elements=["project_id"])
    )
    stmt = select(QualityWatermark).where(QualityWatermark.project_id == project_id)
    if dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one()


NEW_SUBMISSIONS = text(
    """
    SELECT id, contributor_id, task_id FROM submissions
    WHERE id > :after AND project_id = :project_id ORDER BY id LIMIT :limit
    """
)
NEW_ASSIGNMENTS = text(
    """
    SELECT id, contributor_id, status FROM assignments
    WHERE id > :after AND project_id = :project_id ORDER BY id LIMIT :limit
    """
)


async def new_submissions(
    session: AsyncSession, *, project_id: int, after: int, limit: int
) -> list[tuple[int, int, int]]:
    params = {"project_id": project_id, "after": after, "limit": limit}
    return [tuple(r) for r in (await session.execute(NEW_SUBMISSIONS, params)).all()]


async def new_assignments(
    session: AsyncSession, *, project_id: int, after: int, limit: int
) -> list[tuple[int, int, str]]:
    params = {"project_id": project_id, "after": after, "limit": limit}
    return [tuple(r) for r in (await session.execute(NEW_ASSIGNMENTS, params)).all()]


LAST_GOLD = typed_sql(
    """
    SELECT id, created_at, gold_correct FROM submissions
    WHERE contributor_id = :contributor_id AND project_id = :project_id AND is_gold AND gold_correct IS NOT NULL
    ORDER BY id DESC LIMIT :limit
    """,
    out_times=("created_at",),
    bools=("gold_correct",),
)
LAST_ANSWERS = typed_sql(
    """
    SELECT id, created_at, time_spent_seconds FROM submissions
    WHERE contributor_id = :contributor_id AND project_id = :project_id ORDER BY id DESC LIMIT :limit
    """,
    out_times=("created_at",),
)
LAST_ASSIGNMENTS = typed_sql(
    """
    SELECT id, leased_at, status FROM assignments
    WHERE contributor_id = :contributor_id AND project_id = :project_id AND status <> 'leased'
    ORDER BY id DESC LIMIT :limit
    """,
    out_times=("leased_at",),
)
ANSWERS_SINCE = typed_sql(
    """
    SELECT count(*) AS answers, min(created_at) AS first_at FROM submissions
    WHERE contributor_id = :contributor_id AND project_id = :project_id AND created_at >= :since
    """,
    times=("since",),
    out_times=("first_at",),
)


async def _rows(session: AsyncSession, stmt, **params: Any) -> list[tuple]:
    return [tuple(r) for r in (await session.execute(stmt, params)).all()]


async def last_gold_answers(session: AsyncSession, *, project_id: int, contributor_id: int, limit: int):
    return await _rows(session, LAST_GOLD, project_id=project_id, contributor_id=contributor_id, limit=limit)


async def last_answers(session: AsyncSession, *, project_id: int, contributor_id: int, limit: int):
    return await _rows(
        session, LAST_ANSWERS, project_id=project_id, contributor_id=contributor_id, limit=limit
    )


async def last_finished_assignments(
    session: AsyncSession, *, project_id: int, contributor_id: int, limit: int
):
    return await _rows(
        session, LAST_ASSIGNMENTS, project_id=project_id, contributor_id=contributor_id, limit=limit
    )


async def answers_since(
    session: AsyncSession, *, project_id: int, contributor_id: int, since: datetime
) -> tuple[int, datetime | None]:
    params = {"project_id": project_id, "contributor_id": contributor_id, "since": since}
    row = (await session.execute(ANSWERS_SINCE, params)).one()
    return int(row.answers), row.first_at


FINISHED_TASK_ANSWERS = typed_sql(
    """
    SELECT t.id, t.overlap, s.answer FROM tasks t JOIN submissions s ON s.task_id = t.id
    WHERE t.id IN :task_ids AND t.completed_count >= t.overlap AND s.outcome <> 'rejected'
    ORDER BY t.id
    """,
    json_cols=("answer",),
).bindparams(bindparam("task_ids", expanding=True))


async def finished_task_answers(session: AsyncSession, *, task_ids: list[int]) -> dict[int, tuple[int, list]]:
    """Answers still standing on the finished tasks among `task_ids`: {task: (overlap, answers)}."""
    found: dict[int, tuple[int, list]] = {}
    if task_ids:
        for task_id, overlap, answer in (
            await session.execute(FINISHED_TASK_ANSWERS, {"task_ids": task_ids})
        ).all():
            found.setdefault(task_id, (overlap, []))[1].append(answer)
    return found


RAISE_OVERLAP = text(
    """
    UPDATE tasks SET overlap = :new, completed_at = NULL, final_answer = NULL
    WHERE id = :task_id AND overlap = :old RETURNING id
    """
)


async def raise_overlap(session: AsyncSession, *, task_id: int, old: int, new: int) -> bool:
    """False when the overlap changed concurrently (the task is judged again on its next answer)."""
    params = {"task_id": task_id, "old": old, "new": new}
    return (await session.execute(RAISE_OVERLAP, params)).first() is not None


STANDING_ANSWERS_SINCE = typed_sql(
    """
    SELECT id, task_id, outcome FROM submissions
    WHERE contributor_id = :contributor_id AND project_id = :project_id AND created_at >= :since
      AND outcome <> 'rejected'
    ORDER BY id
    """,
    times=("since",),
)
REJECT = typed_sql(
    """
    UPDATE submissions SET outcome = 'rejected', decided_at = :now,
      review_state = CASE WHEN review_state IN ('pending', 'leased') THEN 'done' ELSE review_state END
    WHERE id IN :ids AND outcome = :outcome RETURNING id, task_id
    """,
    times=("now",),
).bindparams(bindparam("ids", expanding=True))


async def standing_answers_since(
    session: AsyncSession, *, project_id: int, contributor_id: int, since: datetime
) -> list[tuple[int, int, str]]:
    return await _rows(
        session, STANDING_ANSWERS_SINCE, project_id=project_id, contributor_id=contributor_id, since=since
    )


async def reject_submissions(
    session: AsyncSession, *, submission_ids: list[int], outcome: str, now: datetime
) -> list[tuple[int, int]]:
    """Reject the given submissions still at `outcome` (a concurrent review wins); (id, task) of those changed."""
    if not submission_ids:
        return []
    return await _rows(session, REJECT, ids=submission_ids, outcome=outcome, now=now)


async def labeling_queue(session: AsyncSession, *, project_id: int) -> Queue | None:
    stmt = select(Queue).where(Queue.project_id == project_id, Queue.kind == "labeling")
    return (await session.execute(stmt)).scalar_one_or_none()


def _active_ban(*, now: datetime):
    return QueueBan.lifted_at.is_(None) & or_(QueueBan.until.is_(None), QueueBan.until > now)


async def ban_from_queue(session: AsyncSession, *, ban: QueueBan, actor: str) -> QueueBan:
    """Write the ban and its permission_audit row in one go."""
    session.add(ban)
    await session.flush()
    await _audit_ban(session, ban=ban, action="ban", actor=actor, reason=ban.reason)
    return ban


async def _audit_ban(
    session: AsyncSession,
    *,
    ban: QueueBan,
    action: str,
    actor: str,
    reason: str | None,
    at: datetime | None = None,
) -> None:
    """A ban's row in permission_audit, beside the grants' own (stamped now unless `at` is given)."""
    values = {
        "permission_id": None,
        "contributor_id": ban.contributor_id,
        "queue_id": ban.queue_id,
        "action": action,
        "actor": actor,
        "reason": reason,
    }
    if at is not None:
        values["at"] = at
    await session.execute(insert(PermissionAudit).values(**values))


async def link_ban_to_firing(session: AsyncSession, *, ban_id: int, firing_id: int) -> None:
    await session.execute(update(QueueBan).where(QueueBan.id == ban_id).values(firing_id=firing_id))


async def list_bans(
    session: AsyncSession,
    *,
    queue_id: int,
    now: datetime,
    include_inactive: bool,
    limit: int,
    after_id: int | None,
) -> list[QueueBan]:
    """The queue's bans in force now (or all of them, lifted and expired too), oldest first."""
    stmt = select(QueueBan).where(QueueBan.queue_id == queue_id).order_by(QueueBan.id).limit(limit + 1)
    if not include_inactive:
        stmt = stmt.where(_active_ban(now=now))
    if after_id is not None:
        stmt = stmt.where(QueueBan.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def get_ban(session: AsyncSession, *, queue_id: int, ban_id: int) -> QueueBan | None:
    stmt = select(QueueBan).where(QueueBan.id == ban_id, QueueBan.queue_id == queue_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def lift_ban(session: AsyncSession, *, ban: QueueBan, actor: str, now: datetime) -> bool:
    """Lift a ban not lifted yet, with its permission_audit row; False when it already was (by anyone)."""
    lifted = (
        await session.execute(
            update(QueueBan)
            .where(QueueBan.id == ban.id, QueueBan.lifted_at.is_(None))
            .values(lifted_at=now, lifted_by=actor)
            .returning(QueueBan.id)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if lifted is None:
        return False
    await _audit_ban(session, ban=ban, action="lift", actor=actor, reason=f"ban {ban.id} lifted", at=now)
    return True


# A drift ban ops lifted is not imposed again for the drift it answered: the contributor's gold
# accuracy is judged afresh on the gold answered since the last such lift (lifted_at is returned).
DRIFTED_UNBANNED = typed_sql(
    """
    SELECT cq.contributor_id, cq.gold_total, cq.gold_correct,
      (SELECT max(l.lifted_at) FROM queue_bans l WHERE l.queue_id = :queue_id
       AND l.contributor_id = cq.contributor_id AND l.rule_id IS NULL AND l.lifted_at IS NOT NULL) AS lifted_at
    FROM contributor_quality cq
    WHERE cq.project_id = :project_id AND cq.drifted
      AND NOT EXISTS (SELECT 1 FROM queue_bans b WHERE b.queue_id = :queue_id
                      AND b.contributor_id = cq.contributor_id AND b.lifted_at IS NULL
                      AND (b.until IS NULL OR b.until > :now))
    ORDER BY cq.contributor_id
    """,
    times=("now",),
    out_times=("lifted_at",),
)


async def drifted_without_ban(
    session: AsyncSession, *, project_id: int, queue_id: int, now: datetime
) -> list[tuple[int, int, int, datetime | None]]:
    """(contributor, gold total, gold correct, last drift ban lifted at) of drifted contributors not
    banned from the queue now."""
    return await _rows(session, DRIFTED_UNBANNED, project_id=project_id, queue_id=queue_id, now=now)


GOLD_SINCE = typed_sql(
    """
    SELECT count(*) AS total, COALESCE(SUM(CASE WHEN gold_correct THEN 1 ELSE 0 END), 0) AS correct
    FROM submissions
    WHERE contributor_id = :contributor_id AND project_id = :project_id AND is_gold
      AND gold_correct IS NOT NULL AND created_at >= :since
    """,
    times=("since",),
)


async def gold_answers_since(
    session: AsyncSession, *, project_id: int, contributor_id: int, since: datetime
) -> tuple[int, int]:
    """(total, correct) of the contributor's scored gold answers on the project since `since`."""
    params = {"project_id": project_id, "contributor_id": contributor_id, "since": since}
    row = (await session.execute(GOLD_SINCE, params)).one()
    return int(row.total), int(row.correct)


async def save_watermark(
    session: AsyncSession, *, project_id: int, submission_id: int, assignment_id: int, now: datetime
) -> None:
    await session.execute(
        update(QualityWatermark)
        .where(QualityWatermark.project_id == project_id)
        .values(submission_id=submission_id, assignment_id=assignment_id, evaluated_at=now)
    )
