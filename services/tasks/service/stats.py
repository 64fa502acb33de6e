"""Stats per project, contributor and vendor; production units (results, aggregation and export: exports.py)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.repository import stats as repo
from services.tasks.rules import quality
from services.tasks.rules.label_schema import comparable
from services.tasks.service.projects import get_project
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import NotFound, Unprocessable

AGREEMENT_SAMPLE = 3000
AT_RISK_CAP = 10_000
AT_RISK_SHARE = 0.8  # a task past 80 % of its SLA turnaround without a final answer is at risk


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


async def project_stats(*, session: AsyncSession, project_id: int) -> dict[str, Any]:
    """Progress, throughput, handling time, gold accuracy, agreement, SLA and forecasts from running counters."""
    project = await get_project(session=session, project_id=project_id)
    now = utcnow()
    c = await repo.project_counters(session, project_id=project.id)
    leased = await repo.live_leases(session, project_id=project.id, now=now)
    last_hour = await repo.submissions_since(session, project_id=project.id, since=now - timedelta(hours=1))
    # Tasks are imported at the project's overlap (which never changes); raise_overlap counts what it adds.
    units_total = c["tasks_imported"] * project.overlap + c["overlap_raised"]
    units_left = max(units_total - c["submissions"] + c["rejected"], 0)
    avg_handling = c["handling_seconds"] / c["submissions"] if c["submissions"] else None
    at_risk = 0
    if project.sla_turnaround_hours:
        before = now - timedelta(hours=project.sla_turnaround_hours * AT_RISK_SHARE)
        at_risk = await repo.unfinished_created_before(
            session, project_id=project.id, before=before, cap=AT_RISK_CAP
        )
    sample = await repo.recent_answers(session, project_id=project.id, limit=AGREEMENT_SAMPLE)
    annotations = [(t, w, comparable(a)) for t, w, a in sample]
    forecast_finish = now + timedelta(hours=units_left / last_hour) if last_hour and units_left else None
    hours_needed = units_left * avg_handling / 3600 if avg_handling is not None else None
    hours_to_deadline = (project.deadline - now).total_seconds() / 3600 if project.deadline else None
    headcount = None
    if hours_needed is not None and hours_to_deadline and hours_to_deadline > 0:
        # Contributors working 8 hours a day until the deadline.
        headcount = math.ceil(hours_needed / (8 * max(hours_to_deadline / 24, 1 / 3)))
    languages = project.required_languages or ["any"]
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
        "throughput_per_hour": last_hour,
        "avg_handling_seconds": avg_handling,
        "gold_accuracy": _ratio(c["gold_correct"], c["gold_total"]),
        "agreement": {
            "sample_size": len(annotations),
            "krippendorff_alpha": quality.krippendorff_alpha_nominal(annotations) if annotations else None,
        },
        "sla": {
            "turnaround_hours": project.sla_turnaround_hours,
            "on_time_rate": _ratio(c["on_time"], c["on_time"] + c["late"]),
            "at_risk_tasks": at_risk,
        },
        "forecast": {
            "finish_at": forecast_finish,
            "deadline": project.deadline,
            "on_track": (forecast_finish <= project.deadline)
            if forecast_finish and project.deadline
            else None,
        },
        "manpower": {
            "contributor_hours_needed": hours_needed,
            "by_language": [
                {
                    "language": lang,
                    "contributor_hours": hours_needed / len(languages) if hours_needed is not None else None,
                    "headcount": math.ceil(headcount / len(languages)) if headcount is not None else None,
                }
                for lang in languages
            ],
        },
    }


def _period(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    now = utcnow()
    end = end or now + timedelta(seconds=1)
    start = start or end - timedelta(days=30)
    for name, value in (("from", start), ("to", end)):
        if value.tzinfo is None:
            raise Unprocessable(
                f"{name} needs a UTC offset",
                errors=[{"pointer": f"/{name}", "field": name, "in": "query", "detail": "offset required"}],
            )
    if end <= start:
        raise Unprocessable(
            "to must be after from",
            errors=[{"pointer": "/to", "field": "to", "in": "query", "detail": "must be after from"}],
        )
    return start, end


async def production(
    *,
    session: AsyncSession,
    principal: Principal,
    vendor_id: int | None,
    start: datetime | None,
    end: datetime | None,
    by_day: bool = False,
) -> dict[str, Any]:
    """Accepted units and their handling seconds by project, task type and language (what vendors invoice,
    per UTC day of decision when `by_day`); a vendor user's own only."""
    if vendor_id is not None and not repo.vendor_is_readable(principal, vendor_id=vendor_id):
        # Another tenant's figures answer as if that vendor did not exist.
        raise NotFound(f"vendor {vendor_id} not found")
    start, end = _period(start, end)
    rows = await repo.production(
        session, principal=principal, vendor_id=vendor_id, start=start, end=end, by_day=by_day
    )
    return {
        "items": [
            {
                "project_id": r["project_id"],
                "task_type": r["task_type"],
                "language": (r["required_languages"] or [None])[0],
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
    start: datetime | None,
    end: datetime | None,
) -> dict[str, Any]:
    """A vendor's scorecard inputs; another vendor's stats are not found for vendor users."""
    if not repo.vendor_is_readable(principal, vendor_id=vendor_id):
        raise NotFound(f"no stats for vendor {vendor_id}")
    start, end = _period(start, end)
    scope = {"principal": principal, "vendor_id": vendor_id, "start": start, "end": end}
    rows = await repo.vendor_totals(session, **scope)
    timely, with_sla = await repo.vendor_on_time(session, **scope)
    n = sum(int(r["n"]) for r in rows)
    exposure = {"low": 0.0, "medium": 0.0, "high": 0.0}
    for r in rows:
        if r["content_severity"] in exposure:
            exposure[r["content_severity"]] += int(r["seconds"]) / 60
    gold_total = sum(int(r["gold_total"]) for r in rows)
    return {
        "vendor_id": vendor_id,
        "accepted_units": sum(int(r["n"]) for r in rows if r["outcome"] == "accepted"),
        "rejected_units": sum(int(r["n"]) for r in rows if r["outcome"] == "rejected"),
        "gold_accuracy": _ratio(sum(int(r["gold_correct"]) for r in rows), gold_total),
        "avg_handling_seconds": sum(int(r["seconds"]) for r in rows) / n if n else None,
        "on_time_rate": _ratio(timely, with_sla),
        "exposure_minutes_by_severity": exposure,
    }


async def contributor_stats(
    *,
    session: AsyncSession,
    principal: Principal,
    contributor_id: int,
    start: datetime | None,
    end: datetime | None,
) -> dict[str, Any]:
    """A contributor's own work; vendor staff see their own contributors only, others are not found."""
    if not await repo.contributor_is_readable(session, principal=principal, contributor_id=contributor_id):
        raise NotFound(f"no stats for contributor {contributor_id}")
    start, end = _period(start, end)
    t = await repo.contributor_totals(
        session, principal=principal, contributor_id=contributor_id, start=start, end=end
    )
    return {
        "contributor_id": contributor_id,
        "submissions": t["submissions"],
        "accepted": t["accepted"],
        "rejected": t["rejected"],
        "avg_handling_seconds": t["seconds"] / t["submissions"] if t["submissions"] else None,
        "gold_accuracy": _ratio(t["gold_correct"], t["gold_total"]),
    }
