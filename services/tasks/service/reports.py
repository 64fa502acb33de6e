"""The tasks service's report sections: projects at risk, paused work, permission changes; KPI facts."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import Submission
from services.tasks.repository import reports as repository
from services.tasks.repository import stats
from services.tasks.service.stats import AT_RISK_CAP, AT_RISK_SHARE
from shared.db import ReadSessionDep, utcnow
from shared.reports import MAX_ITEMS, HandoverSections, KpiRows, ReportWindow, ReportWindowDep, Section, ratio


async def _project_issues(session: AsyncSession, *, window: ReportWindow) -> Section:
    """Active or paused projects with tasks at risk of missing their SLA now, or answers that missed it."""
    now = utcnow()
    projects = await repository.projects_in(session, statuses=("active", "paused"))
    on_time = await repository.on_time_by_project(session, since=window.since, until=window.until)
    items = []
    for project in projects:
        at_risk = 0
        if project.sla_turnaround_hours and project.status == "active":
            before = now - timedelta(hours=project.sla_turnaround_hours * AT_RISK_SHARE)
            at_risk = await stats.unfinished_created_before(
                session, project_id=project.id, before=before, cap=AT_RISK_CAP
            )
        ok, late = on_time.get(project.id, (0, 0))
        if at_risk or late:
            items.append(
                {
                    "project_id": project.id,
                    "name": project.name,
                    "status": project.status,
                    "sla_turnaround_hours": project.sla_turnaround_hours,
                    "at_risk_tasks": at_risk,
                    "sla_breaches": late,
                    "on_time_rate": ratio(ok, ok + late),
                }
            )
    return Section(
        summary={
            "active_projects": sum(p.status == "active" for p in projects),
            "paused_projects": sum(p.status == "paused" for p in projects),
            "projects_at_risk": sum(1 for i in items if i["at_risk_tasks"]),
            "at_risk_tasks": sum(i["at_risk_tasks"] for i in items),
            "sla_breaches": sum(late for _ok, late in on_time.values()),
        },
        items=items[:MAX_ITEMS],
    )


async def _paused_work(session: AsyncSession) -> Section:
    """Queues nobody can work right now: those of paused projects, and vendors suspended on a project."""
    paused = await repository.projects_in(session, statuses=("paused",))
    suspensions = await repository.vendor_suspensions(session, limit=MAX_ITEMS)
    items = [
        {"kind": "project_paused", "project_id": p.id, "name": p.name, "vendor_id": None, "reason": None,
         "since": p.updated_at.isoformat()}
        for p in paused
    ] + [
        {"kind": "vendor_suspended", "project_id": s.project_id, "name": None, "vendor_id": s.vendor_id,
         "reason": s.reason, "since": s.created_at.isoformat()}
        for s in suspensions
    ]  # fmt: skip
    return Section(
        summary={"paused_projects": len(paused), "vendor_suspensions": len(suspensions)},
        items=items[:MAX_ITEMS],
    )


async def _permission_changes(session: AsyncSession, *, window: ReportWindow) -> Section:
    counts = await repository.permission_change_counts(session, since=window.since, until=window.until)
    rows = await repository.permission_changes(
        session, since=window.since, until=window.until, limit=MAX_ITEMS
    )
    return Section(
        summary={"changes": sum(counts.values()), **dict(sorted(counts.items()))},
        items=[
            {
                "audit_id": row.id,
                "project_id": project_id,
                "queue_id": row.queue_id,
                "permission_id": row.permission_id,
                "contributor_id": row.contributor_id,
                "action": row.action,
                "actor": row.actor,
                "reason": row.reason,
                "at": row.at.isoformat(),
            }
            for row, project_id in rows
        ],
    )


async def handover_sections(session: ReadSessionDep, window: ReportWindowDep) -> HandoverSections:
    return HandoverSections(
        sections={
            "Projects at risk": await _project_issues(session, window=window),
            "Paused work": await _paused_work(session),
            "Permission changes": await _permission_changes(session, window=window),
        }
    )


def kpi_figures(facts: dict[str, int], *, hours: float) -> dict:
    """Productivity, quality and latency of one project or vendor from its counts in a window of `hours`."""
    accepted, rejected = facts.get("accepted", 0), facts.get("rejected", 0)
    submissions, seconds = facts.get("submissions", 0), facts.get("handling_seconds", 0)
    return {
        "accepted_labels": accepted,
        "rejected_labels": rejected,
        "submissions": submissions,
        "throughput_per_hour": round(submissions / hours, 4) if hours else None,
        "avg_handling_seconds": ratio(seconds, submissions),
        "gold_accuracy": ratio(facts.get("gold_correct", 0), facts.get("gold_total", 0)),
        "rejection_rate": ratio(rejected, accepted + rejected),
        "on_time_rate": ratio(facts.get("on_time", 0), facts.get("with_sla", 0)),
    }


async def kpi_rows(session: ReadSessionDep, window: ReportWindowDep) -> KpiRows:
    rows = []
    projects = await repository.kpi_facts(
        session, key=Submission.project_id, since=window.since, until=window.until
    )
    names = await repository.project_names(session, ids=sorted(projects))
    for project_id, facts in sorted(projects.items()):
        rows.append(
            {"scope": "project", "id": project_id, "name": names.get(project_id),
             **kpi_figures(facts, hours=window.hours)}
        )  # fmt: skip
    vendors = await repository.kpi_facts(
        session, key=Submission.vendor_id, since=window.since, until=window.until
    )
    for vendor_id, facts in sorted(vendors.items()):
        rows.append({"scope": "vendor", "id": vendor_id, **kpi_figures(facts, hours=window.hours)})
    return KpiRows(rows=rows)
