"""The tasks service's report sections: projects at risk, paused work, permission changes; KPI rows.

Every figure is a KPI of rules.kpis, computed by service.kpis as stats and metrics compute it.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.repository import kpis as kpi_repository
from services.tasks.repository import reports as repository
from services.tasks.rules.kpis import figures as figures_of
from services.tasks.service import kpis
from shared.db import ReadSessionDep, utcnow
from shared.reports import MAX_ITEMS, HandoverSections, KpiRows, ReportWindow, ReportWindowDep, Section


async def _project_issues(session: AsyncSession, *, window: ReportWindow) -> Section:
    """Active or paused projects with open tasks at risk of missing their SLA now, or tasks whose SLA was
    breached in the window (finished late, or still open when their due time passed in it)."""
    now = utcnow()
    projects = await repository.projects_in(session, statuses=("active", "paused"))
    settled = await kpis.sla_between(session, since=window.since, until=window.until)
    items = []
    for project in projects:
        at_risk = 0
        if project.status == "active":
            at_risk = await kpi_repository.open_at_risk(
                session, project_id=project.id, sla_hours=project.sla_turnaround_hours, now=now
            )
        sla = settled.get(project.id)
        if at_risk or (sla and sla["sla_breaches"]):
            items.append(
                {
                    "project_id": project.id,
                    "name": project.name,
                    "status": project.status,
                    "sla_turnaround_hours": project.sla_turnaround_hours,
                    "at_risk_tasks": at_risk,
                    "sla_breaches": sla["sla_breaches"] if sla else 0,
                    "tasks_on_time": sla["tasks_on_time"] if sla else 0,
                    "on_time_rate": sla["on_time_rate"] if sla else None,
                }
            )
    return Section(
        summary={
            "active_projects": sum(p.status == "active" for p in projects),
            "paused_projects": sum(p.status == "paused" for p in projects),
            "projects_at_risk": sum(1 for i in items if i["at_risk_tasks"]),
            "at_risk_tasks": sum(i["at_risk_tasks"] for i in items),
            "sla_breaches": sum(s["sla_breaches"] for s in settled.values()),
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


async def kpi_rows(session: ReadSessionDep, window: ReportWindowDep) -> KpiRows:
    """Per project: its KPIs over the window and its SLA outcomes settled in it; per vendor: its KPIs."""
    rows = []
    projects = await kpis.figures_between(session, scope="project", since=window.since, until=window.until)
    sla = await kpis.sla_between(session, since=window.since, until=window.until)
    names = await repository.project_names(session, ids=sorted(set(projects) | set(sla)))
    for project_id in sorted(set(projects) | set(sla)):
        figures = projects.get(project_id) or figures_of({}, window_hours=window.hours)
        outcomes = sla.get(project_id) or {"tasks_on_time": 0, "sla_breaches": 0, "on_time_rate": None}
        agreement = await kpis.agreement_between(
            session, project_id=project_id, since=window.since, until=window.until
        )
        rows.append(
            {"scope": "project", "id": project_id, "name": names.get(project_id), **figures,
             "agreement": agreement, **outcomes}
        )  # fmt: skip
    vendors = await kpis.figures_between(session, scope="vendor", since=window.since, until=window.until)
    for vendor_id, figures in sorted(vendors.items()):
        rows.append({"scope": "vendor", "id": vendor_id, **figures})
    return KpiRows(rows=rows)
