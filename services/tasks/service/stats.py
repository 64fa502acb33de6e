"""Stats per project, contributor and vendor; production units (results, aggregation and export: exports.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.repository import stats as repo
from services.tasks.rules import kpis
from services.tasks.rules.label_schema import comparable
from services.tasks.service import kpis as kpi_service
from services.tasks.service.forecast import project_forecast
from services.tasks.service.projects import get_project
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import NotFound
from shared.windows import TimeWindow, checked_window

RECENT_WINDOW_HOURS = 1  # the stated window of the project's live throughput and turnaround


async def project_stats(*, session: AsyncSession, project_id: int) -> dict[str, Any]:
    """Progress and forecasts, and the project's KPIs as rules.kpis defines them: to date from running
    counters and index ranges; throughput and turnaround over the last hour."""
    project = await get_project(session=session, project_id=project_id)
    now = utcnow()
    c = await repo.project_counters(session, project_id=project.id)
    leased = await repo.live_leases(session, project_id=project.id, now=now)
    since = now - timedelta(hours=RECENT_WINDOW_HOURS)
    recent = (
        await kpi_service.figures_between(session, scope="project", since=since, until=now, only=project.id)
    ).get(project.id) or kpis.figures({}, window_hours=RECENT_WINDOW_HOURS)
    last_hour = recent["submissions"]
    # Tasks are imported at the project's overlap (which never changes); raise_overlap counts what it adds.
    units_total = c["tasks_imported"] * project.overlap + c["overlap_raised"]
    units_left = max(units_total - c["submissions"] + c["rejected"], 0)
    avg_handling = kpis.avg_handling_seconds(handling_seconds=c["handling_seconds"], answers=c["submissions"])
    sla = await kpi_service.project_sla(session, project=project, now=now)
    sample = await repo.recent_answers(session, project_id=project.id, limit=kpi_service.AGREEMENT_SAMPLE)
    annotations = [(t, w, comparable(a)) for t, w, a in sample]
    forecast_finish = now + timedelta(hours=units_left / last_hour) if last_hour and units_left else None
    return {
        "project_id": project.id,
        "status": project.status,
        "progress": {
            "tasks_total": c["tasks_imported"],
            "tasks_completed": c["tasks_completed"],
            "tasks_open": c["tasks_imported"] - c["tasks_completed"],
            "leased_now": leased,
            "units_total": units_total,
            "units_submitted": c["submissions"],
            "units_left": units_left,
            "accepted": c["accepted"],
            "rejected": c["rejected"],
        },
        # Throughput and turnaround are over a stated window: the last RECENT_WINDOW_HOURS.
        "throughput_per_hour": recent["throughput_per_hour"],
        "throughput_window_hours": RECENT_WINDOW_HOURS,
        "turnaround": {
            "window_hours": RECENT_WINDOW_HOURS,
            "tasks_finished": recent["tasks_finished"],
            "avg_turnaround_seconds": recent["avg_turnaround_seconds"],
        },
        "avg_handling_seconds": avg_handling,
        "productivity_per_hour": kpis.productivity_per_hour(
            answers=c["submissions"], handling_seconds=c["handling_seconds"]
        ),
        "gold_accuracy": kpis.gold_accuracy(correct=c["gold_correct"], total=c["gold_total"]),
        "agreement": {"sample_size": len(annotations), "krippendorff_alpha": kpis.agreement(annotations)},
        "sla": sla,
        "forecast": {
            "finish_at": forecast_finish,
            "deadline": project.deadline,
            "on_track": (forecast_finish <= project.deadline)
            if forecast_finish and project.deadline
            else None,
        },
        "manpower": await project_forecast(session, project=project, counters=c, now=now),
    }


# A window left open is the 30 days before now; `until` is a second past now so that the second of the
# call is counted too.
DEFAULT_WINDOW = timedelta(days=30)


def _window(since: datetime | None, until: datetime | None) -> TimeWindow:
    until = until or utcnow() + timedelta(seconds=1)
    return checked_window(since or until - DEFAULT_WINDOW, until)


async def production(
    *,
    session: AsyncSession,
    principal: Principal,
    vendor_id: int | None,
    since: datetime | None,
    until: datetime | None,
    by_day: bool = False,
) -> dict[str, Any]:
    """Accepted units and their handling seconds by project, task type and language (what vendors invoice,
    per UTC day of decision when `by_day`); a vendor user's own only."""
    if vendor_id is not None and not repo.vendor_is_readable(principal, vendor_id=vendor_id):
        # Another tenant's figures answer as if that vendor did not exist.
        raise NotFound(f"vendor {vendor_id} not found")
    window = _window(since, until)
    rows = await repo.production(
        session, principal=principal, vendor_id=vendor_id, start=window.since, end=window.until, by_day=by_day
    )
    return {
        "items": [
            {
                "project_id": r["project_id"],
                "task_type": r["task_type"],
                # The task's locale; a project without locales works in its (first) required language.
                "language": r["locale"] or (r["required_languages"] or [None])[0],
                "vendor_id": r["vendor_id"],
                "day": r["day"] if by_day else None,
                "accepted_units": int(r["accepted_units"] or 0),
                "rejected_units": int(r["rejected_units"] or 0),
                "handling_seconds": int(r["handling_seconds"] or 0),
            }
            for r in rows
        ]
    }


async def vendor_stats(
    *,
    session: AsyncSession,
    principal: Principal,
    vendor_id: int,
    since: datetime | None,
    until: datetime | None,
) -> dict[str, Any]:
    """A vendor's scorecard inputs: its KPIs over [since, until) as the KPI report's vendor row has them
    (rules.kpis.figures) and its exposure; another vendor's stats are not found for vendor users."""
    if not repo.vendor_is_readable(principal, vendor_id=vendor_id):
        raise NotFound(f"no stats for vendor {vendor_id}")
    window = _window(since, until)
    rows = await repo.vendor_totals(
        session, principal=principal, vendor_id=vendor_id, start=window.since, end=window.until
    )
    exposure = {"low": 0.0, "medium": 0.0, "high": 0.0}
    for r in rows:
        if r["content_severity"] in exposure:
            exposure[r["content_severity"]] += int(r["seconds"]) / 60
    found = await kpi_service.figures_between(
        session, scope="vendor", since=window.since, until=window.until, only=vendor_id
    )
    figures = found.get(vendor_id) or kpis.figures({}, window_hours=window.hours)
    return {
        "vendor_id": vendor_id,
        "accepted_units": figures["accepted_labels"],
        "rejected_units": figures["rejected_labels"],
        **figures,
        "exposure_minutes_by_severity": exposure,
    }


async def contributor_stats(
    *,
    session: AsyncSession,
    principal: Principal,
    contributor_id: int,
    since: datetime | None,
    until: datetime | None,
) -> dict[str, Any]:
    """A contributor's own work; vendor staff see their own contributors only, others are not found."""
    if not await repo.contributor_is_readable(session, principal=principal, contributor_id=contributor_id):
        raise NotFound(f"no stats for contributor {contributor_id}")
    window = _window(since, until)
    t = await repo.contributor_totals(
        session, principal=principal, contributor_id=contributor_id, start=window.since, end=window.until
    )
    return {
        "contributor_id": contributor_id,
        "submissions": t["submissions"],
        "accepted": t["accepted"],
        "rejected": t["rejected"],
        "avg_handling_seconds": kpis.avg_handling_seconds(
            handling_seconds=t["seconds"], answers=t["submissions"]
        ),
        "gold_accuracy": kpis.gold_accuracy(correct=t["gold_correct"], total=t["gold_total"]),
    }
