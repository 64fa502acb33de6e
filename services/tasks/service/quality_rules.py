"""Quality rules: manage them, and evaluate them in the background over what happened since a watermark.

Evaluation never runs inside submit, so the assignment hot path stays lean: the sweeper (or an ops call)
reads each project's submissions and assignments past its watermark, measures the rules for the
contributors and tasks they touch, applies the actions and records every firing with its evidence.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Unpack

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.events import publisher
from services.tasks.models import COUNTER_SHARDS, Project, QualityRule, QualityRuleFiring, QueueBan
from services.tasks.repository import quality_rules as repo
from services.tasks.repository.projects import add_to_counters
from services.tasks.rules import quality_rules as rules
from services.tasks.rules.label_schema import comparable
from services.tasks.schemas.quality_rules import QualityRuleCreate
from services.tasks.service.projects import get_project, get_queue
from services.tasks.service.reviews import requeue_rejected, uncount_completion
from shared.auth import Principal
from shared.db import Database, utcnow
from shared.errors import NotFound, Unprocessable
from shared.pagination import KeysetArgs

log = logging.getLogger("labelops.tasks.quality_rules")

# Submissions and assignments read per project and run; the rest waits for the next sweep.
EVALUATION_BATCH = 2000
EVALUATOR = "quality-evaluator"


def _spec(rule: QualityRule | QualityRuleCreate) -> rules.RuleSpec:
    return rules.RuleSpec(
        metric=rule.metric,
        action=rule.action,
        threshold=rule.threshold,
        window_size=rule.window_size,
        min_count=rule.min_count,
        seconds=rule.seconds,
        ban_hours=rule.ban_hours,
        max_overlap=rule.max_overlap,
    )


async def create_rule(
    *, session: AsyncSession, principal: Principal, project_id: int, data: QualityRuleCreate
) -> QualityRule:
    """A rule whose metric and action fit together and carry the parameters they need."""
    project = await get_project(session=session, project_id=project_id)
    errors = rules.rule_config_errors(_spec(data))
    if errors:
        raise Unprocessable("the rule is incomplete or inconsistent", errors=errors)
    rule = QualityRule(project_id=project.id, created_by=principal.subject, **data.model_dump())
    return await repo.add_rule(session, rule)


async def list_rules(
    *, session: AsyncSession, project_id: int, limit: int, after_id: int | None
) -> list[QualityRule]:
    project = await get_project(session=session, project_id=project_id)
    return await repo.list_live_rules(session, project_id=project.id, limit=limit, after_id=after_id)


async def delete_rule(*, session: AsyncSession, project_id: int, rule_id: int) -> None:
    """The rule stops firing; the row stays so its past firings still name it."""
    rule = await repo.get_live_rule(session, project_id=project_id, rule_id=rule_id)
    if rule is None:
        raise NotFound(f"quality rule {rule_id} not found on project {project_id}")
    rule.deleted_at = utcnow()
    await session.flush()


async def evaluate_project(
    *, session: AsyncSession, project_id: int, now: datetime
) -> list[QualityRuleFiring]:
    """Apply the project's rules (and drift auto-revoke) to the activity past its watermark."""
    project = await get_project(session=session, project_id=project_id)
    mark = await repo.lock_watermark(session, project_id=project.id, now=now)
    submissions = await repo.new_submissions(
        session, project_id=project.id, after=mark.submission_id, limit=EVALUATION_BATCH
    )
    assignments = await repo.new_assignments(
        session, project_id=project.id, after=mark.assignment_id, limit=EVALUATION_BATCH
    )
    live = await repo.live_rules(session, project_id=project.id)
    contributors = sorted({c for _, c, _ in submissions} | {c for _, c, _ in assignments})
    tasks = sorted({t for _, _, t in submissions})
    firings: list[QualityRuleFiring] = []
    for rule in live:
        if rule.metric in rules.TASK_METRICS:
            firings += await _judge_tasks(session, project=project, rule=rule, task_ids=tasks, now=now)
        else:
            for contributor_id in contributors:
                firing = await _judge_contributor(
                    session, project=project, rule=rule, contributor_id=contributor_id, now=now
                )
                if firing is not None:
                    firings.append(firing)
    if project.auto_revoke_on_drift and project.min_quality is not None:
        firings += await _revoke_drifted(session, project=project, now=now)
    await repo.save_watermark(
        session,
        project_id=project.id,
        submission_id=submissions[-1][0] if submissions else mark.submission_id,
        assignment_id=_assignments_read(assignments, previous=mark.assignment_id),
        now=now,
    )
    return firings


def _assignments_read(assignments: list[tuple[int, int, str]], *, previous: int) -> int:
    """Stop before the oldest lease still live: its release (a skip) is seen when the next run reads it again."""
    live = [assignment_id for assignment_id, _, status in assignments if status == "leased"]
    if live:
        return live[0] - 1
    return assignments[-1][0] if assignments else previous


async def _measure(
    session: AsyncSession, *, project: Project, rule: QualityRule, contributor_id: int, now: datetime
) -> rules.Measurement:
    who = {"project_id": project.id, "contributor_id": contributor_id}
    if rule.metric == "gold_accuracy":
        answers = await repo.last_gold_answers(session, **who, limit=rule.window_size)
        return rules.gold_accuracy(answers, threshold=rule.threshold, min_count=rule.min_count)
    if rule.metric == "fast_answers":
        answers = await repo.last_answers(session, **who, limit=rule.window_size)
        return rules.fast_answers(answers, seconds=rule.seconds, threshold=rule.threshold)
    if rule.metric == "skips_in_row":
        finished = await repo.last_finished_assignments(session, **who, limit=rule.window_size)
        return rules.skips_in_row(finished, threshold=rule.threshold)
    count, first_at = await repo.answers_since(session, **who, since=now - rules.DAY)
    return rules.answers_per_day(count, first_at=first_at, threshold=rule.threshold)


async def _judge_contributor(
    session: AsyncSession, *, project: Project, rule: QualityRule, contributor_id: int, now: datetime
) -> QualityRuleFiring | None:
    measured = await _measure(session, project=project, rule=rule, contributor_id=contributor_id, now=now)
    if not measured.fires:
        return None
    last = await repo.last_firing_at(session, rule_id=rule.id, contributor_id=contributor_id)
    if not rules.fires_again(last_fired_at=last, window_start=measured.window_start):
        return None
    evidence = dict(measured.evidence)
    if measured.window_start is not None:
        evidence["window_start"] = measured.window_start.isoformat()
    if rule.action == "suspend":
        evidence |= await _suspend(
            session, project=project, rule=rule, contributor_id=contributor_id, now=now
        )
    elif rule.action == "retest":
        evidence |= await _mark_retest(
            session, project=project, rule=rule, contributor_id=contributor_id, value=measured.value
        )
    else:
        evidence |= await _reject_answers(
            session,
            project=project,
            contributor_id=contributor_id,
            since=measured.window_start or now,
            now=now,
        )
    firing = QualityRuleFiring(
        project_id=project.id,
        rule_id=rule.id,
        contributor_id=contributor_id,
        metric=rule.metric,
        value=measured.value,
        threshold=rule.threshold,
        action=rule.action,
        evidence=evidence,
        at=now,
    )
    return await _record_firing(session, firing)


async def _record_firing(session: AsyncSession, firing: QualityRuleFiring) -> QualityRuleFiring:
    """Store the firing; a ban it imposed points back at it, so the ban list can show the evidence."""
    firing = await repo.add_firing(session, firing)
    if firing.evidence.get("ban_id") is not None:
        await repo.link_ban_to_firing(session, ban_id=firing.evidence["ban_id"], firing_id=firing.id)
    return firing


async def _ban(
    session: AsyncSession,
    *,
    project: Project,
    contributor_id: int,
    until: datetime | None,
    rule_id: int | None,
    reason: str,
    now: datetime,
) -> dict[str, Any]:
    queue = await repo.labeling_queue(session, project_id=project.id)
    if queue is None:
        return {"banned": False, "why_not": "the project has no labeling queue yet"}
    ban = QueueBan(
        queue_id=queue.id,
        project_id=project.id,
        contributor_id=contributor_id,
        until=until,
        rule_id=rule_id,
        reason=reason,
        created_at=now,
    )
    ban = await repo.ban_from_queue(session, ban=ban, actor=EVALUATOR)
    return {
        "banned": True,
        "ban_id": ban.id,
        "queue_id": queue.id,
        "until": until.isoformat() if until else None,
    }


async def _suspend(
    session: AsyncSession, *, project: Project, rule: QualityRule, contributor_id: int, now: datetime
) -> dict[str, Any]:
    until = rules.ban_until(now=now, ban_hours=rule.ban_hours)
    reason = f"quality rule {rule.id}: {rule.metric} crossed {rule.threshold:g}"
    return await _ban(
        session,
        project=project,
        contributor_id=contributor_id,
        until=until,
        rule_id=rule.id,
        reason=reason,
        now=now,
    )


async def _mark_retest(
    session: AsyncSession, *, project: Project, rule: QualityRule, contributor_id: int, value: float
) -> dict[str, Any]:
    """Ask contributors to re-test the project's qualification, with the event gold drift sends.

    The measured value goes out as `metric` and `value` against `threshold`; only a gold accuracy is
    also sent as `accuracy` and `min_quality`, the fields of the drift the submit path publishes.
    """
    data = {
        "contributor_id": contributor_id,
        "project_id": project.id,
        "qualification": project.required_qualification,
        "rule_id": rule.id,
        "metric": rule.metric,
        "value": value,
        "threshold": rule.threshold,
    }
    if rule.metric == "gold_accuracy":
        data |= {"accuracy": value, "min_quality": rule.threshold}
    await publisher.publish(session, "quality.drift", data)
    return {"retest_requested": True, "qualification": project.required_qualification}


async def _reject_answers(
    session: AsyncSession, *, project: Project, contributor_id: int, since: datetime, now: datetime
) -> dict[str, Any]:
    """Reject the contributor's standing answers of the evidence window; their tasks go back to the queue."""
    standing = await repo.standing_answers_since(
        session, project_id=project.id, contributor_id=contributor_id, since=since
    )
    shard = contributor_id % COUNTER_SHARDS
    rejected: list[int] = []
    for outcome in ("accepted", "pending_review"):
        ids = [i for i, _, o in standing if o == outcome]
        changed = await repo.reject_submissions(session, submission_ids=ids, outcome=outcome, now=now)
        for _, task_id in changed:
            await requeue_rejected(session, project_id=project.id, task_id=task_id, shard=shard)
        if changed:
            # A pending answer was never counted accepted, so only accepted ones move between totals.
            await _count_rejections(session, project=project, shard=shard, n=len(changed), was=outcome)
        rejected += [i for i, _ in changed]
    return {"rejected_submission_ids": sorted(rejected)}


async def _count_rejections(session: AsyncSession, *, project: Project, shard: int, n: int, was: str) -> None:
    deltas = {"rejected": n} | ({"accepted": -n} if was == "accepted" else {})
    await add_to_counters(session, project_id=project.id, shard=shard, **deltas)


async def _judge_tasks(
    session: AsyncSession, *, project: Project, rule: QualityRule, task_ids: list[int], now: datetime
) -> list[QualityRuleFiring]:
    """Raise the overlap of finished tasks whose answers disagree, up to the rule's cap."""
    firings = []
    for task_id, (overlap, answers) in (await repo.finished_task_answers(session, task_ids=task_ids)).items():
        measured = rules.task_agreement([comparable(a) for a in answers], threshold=rule.threshold)
        raised = rules.raised_overlap(current=overlap, max_overlap=rule.max_overlap)
        if not measured.fires or raised is None:
            continue
        if not await repo.raise_overlap(session, task_id=task_id, old=overlap, new=raised):
            continue
        # The task is open again for one more answer, so it leaves the completed totals until then.
        await uncount_completion(session, project_id=project.id, task_id=task_id, shard=0)
        await add_to_counters(session, project_id=project.id, shard=0, overlap_raised=raised - overlap)
        firing = QualityRuleFiring(
            project_id=project.id,
            rule_id=rule.id,
            task_id=task_id,
            metric=rule.metric,
            value=measured.value,
            threshold=rule.threshold,
            action=rule.action,
            evidence=measured.evidence | {"overlap_before": overlap, "overlap_after": raised},
            at=now,
        )
        firings.append(await repo.add_firing(session, firing))
    return firings


async def _revoke_drifted(
    session: AsyncSession, *, project: Project, now: datetime
) -> list[QualityRuleFiring]:
    """auto_revoke_on_drift: a contributor below min_quality is banned from labeling until lifted."""
    queue = await repo.labeling_queue(session, project_id=project.id)
    if queue is None:
        return []
    firings = []
    drifted = await repo.drifted_without_ban(session, project_id=project.id, queue_id=queue.id, now=now)
    for contributor_id, total, correct, lifted_at in drifted:
        measured_since: dict[str, Any] = {}
        if lifted_at is not None:
            # Ops lifted an earlier drift ban: the accuracy that caused it is not held against them again.
            total, correct = await repo.gold_answers_since(
                session, project_id=project.id, contributor_id=contributor_id, since=lifted_at
            )
            if not rules.drifted_since_lift(
                gold_total=total, gold_correct=correct, min_quality=project.min_quality
            ):
                continue
            measured_since = {"since_lift": lifted_at.isoformat()}
        accuracy = correct / total if total else 0.0
        reason = (
            f"gold accuracy {accuracy:.3f} below min_quality {project.min_quality:g} (auto-revoke on drift)"
        )
        banned = await _ban(
            session,
            project=project,
            contributor_id=contributor_id,
            until=None,
            rule_id=None,
            reason=reason,
            now=now,
        )
        firing = QualityRuleFiring(
            project_id=project.id,
            contributor_id=contributor_id,
            metric="gold_accuracy",
            value=accuracy,
            threshold=project.min_quality,
            action="suspend",
            evidence={"gold_total": total, "gold_correct": correct, "auto_revoke_on_drift": True}
            | measured_since
            | banned,
            at=now,
        )
        firings.append(await _record_firing(session, firing))
    return firings


async def list_queue_bans(
    session: AsyncSession, *, queue_id: int, include_inactive: bool, limit: int, after_id: int | None
) -> list[dict[str, Any]]:
    """The queue's bans in force, or its whole ban history; each says whether it holds now."""
    queue = await get_queue(session=session, queue_id=queue_id)
    now = utcnow()
    bans = await repo.list_bans(
        session, queue_id=queue.id, now=now, include_inactive=include_inactive, limit=limit, after_id=after_id
    )
    return [_ban_out(ban, now=now) for ban in bans]


def _ban_out(ban: QueueBan, *, now: datetime) -> dict[str, Any]:
    active = ban.lifted_at is None and (ban.until is None or ban.until > now)
    return {**ban.model_dump(), "active": active}


async def lift_queue_ban(session: AsyncSession, *, principal: Principal, queue_id: int, ban_id: int) -> None:
    """End a ban now (audited); lifting a ban already lifted changes nothing and is not an error."""
    ban = await repo.get_ban(session, queue_id=queue_id, ban_id=ban_id)
    if ban is None:
        raise NotFound(f"ban {ban_id} not found on queue {queue_id}")
    await repo.lift_ban(session, ban=ban, actor=principal.subject, now=utcnow())


async def list_firings(
    *, session: AsyncSession, principal: Principal, project_id: int, **page: Unpack[KeysetArgs]
) -> tuple[list[QualityRuleFiring], str | None]:
    """A page of the project's firings and the next page's cursor."""
    project = await get_project(session=session, project_id=project_id)
    rows = await repo.list_firings(session, principal=principal, project_id=project.id, **page)
    return repo.FIRING_KEYSET.page(rows, sort=page["sort"], limit=page["limit"])


async def evaluate_due_projects(*, db: Database) -> int:
    """The sweep's evaluation: one transaction per project, so a slow or failing project neither blocks
    nor undoes the others. Returns how many rules fired."""
    async with db.sessionmaker() as session:
        project_ids = await repo.projects_to_evaluate(session)
    fired = 0
    for project_id in project_ids:
        try:
            async with db.sessionmaker() as session, session.begin():
                fired += len(await evaluate_project(session=session, project_id=project_id, now=utcnow()))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("quality rules of project %s failed", project_id)
    return fired
