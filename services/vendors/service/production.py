"""What the tasks service measured, read over HTTP (the vendors service never reads tasks tables)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from services.vendors.rules.invoices import DayMeasure
from shared.errors import ServiceUnavailable
from shared.http import ServiceClient


@dataclass(frozen=True)
class ProductionItem:
    project_id: int
    vendor_id: int
    task_type: str
    language: str
    accepted_units: Decimal
    rejected_units: Decimal


async def _get(services: ServiceClient, path: str, params: dict[str, Any]) -> Any:
    response = await services.request("tasks", "GET", path, params=params)
    if response.status_code != 200:
        # A figure we cannot get must never be read as zero: money would be computed from nothing.
        raise ServiceUnavailable(
            f"the tasks service answered {response.status_code} for {path}; production figures are unavailable",
            service="tasks",
        )
    try:
        return response.json()
    except ValueError as exc:
        raise ServiceUnavailable(
            "the tasks service answered with a body that is not JSON", service="tasks"
        ) from exc


def period_params(start: date, end: date) -> dict[str, str]:
    """Our periods are whole days, inclusive; the tasks service reads [since, until) as UTC instants."""
    return {
        "since": datetime.combine(start, time(), tzinfo=UTC).isoformat(),
        "until": datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC).isoformat(),
    }


async def production(
    services: ServiceClient, *, vendor_id: int | None, start: date, end: date
) -> list[ProductionItem]:
    params: dict[str, Any] = period_params(start, end)
    if vendor_id is not None:
        params["vendor_id"] = vendor_id
    return await _production(services, params)


async def production_between(
    services: ServiceClient, *, since: datetime, until: datetime
) -> list[ProductionItem]:
    """Every vendor's units decided in [since, until), to the instant (reports cut shifts, not days)."""
    return await _production(services, {"since": since.isoformat(), "until": until.isoformat()})


async def _production(services: ServiceClient, params: dict[str, Any]) -> list[ProductionItem]:
    body = await _get(services, "/api/v1/production", params)
    try:
        return [
            ProductionItem(
                project_id=int(item["project_id"]),
                vendor_id=int(item["vendor_id"]),
                task_type=str(item["task_type"]),
                # Work on a project without a required language is billed at the any-language rate.
                language=str(item.get("language") or "*"),
                accepted_units=Decimal(str(item["accepted_units"])),
                rejected_units=Decimal(str(item.get("rejected_units") or 0)),
            )
            for item in body["items"]
            if item.get("vendor_id") is not None
        ]
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ServiceUnavailable(
            "the tasks service's production figures are malformed", service="tasks"
        ) from exc


def accepted_by_work(items: list[ProductionItem]) -> dict[tuple[str, str], Decimal]:
    """Accepted units per (task_type, language), summed over projects: the grain invoices are billed at."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for item in items:
        totals[(item.task_type, item.language)] += item.accepted_units
    return dict(totals)


async def vendor_stats(services: ServiceClient, *, vendor_id: int, start: date, end: date) -> dict[str, Any]:
    body = await _get(services, f"/api/v1/stats/vendors/{vendor_id}", period_params(start, end))
    if not isinstance(body, dict):
        raise ServiceUnavailable("the tasks service's vendor stats are malformed", service="tasks")
    return body


async def suspend_vendor(services: ServiceClient, *, project_id: int, vendor_id: int, reason: str) -> None:
    response = await services.request(
        "tasks",
        "POST",
        f"/api/v1/projects/{project_id}/vendor-suspensions",
        json={"vendor_id": vendor_id, "reason": reason},
    )
    if response.status_code >= 300 and response.status_code != 409:  # 409: already suspended
        raise ServiceUnavailable(
            f"the tasks service refused to suspend vendor {vendor_id} on project {project_id} "
            f"({response.status_code})",
            service="tasks",
        )


async def restore_vendor(services: ServiceClient, *, project_id: int, vendor_id: int) -> None:
    response = await services.request(
        "tasks", "DELETE", f"/api/v1/projects/{project_id}/vendor-suspensions/{vendor_id}"
    )
    if response.status_code >= 300 and response.status_code != 404:  # 404: nothing left to lift
        raise ServiceUnavailable(
            f"the tasks service refused to restore vendor {vendor_id} on project {project_id} "
            f"({response.status_code})",
            service="tasks",
        )


async def project_work(services: ServiceClient, *, project_id: int) -> tuple[str, list[str | None]] | None:
    """The project's task type and the languages its production is counted in (its locales, else its
    first required language, else none); None when tasks has no such project."""
    response = await services.request("tasks", "GET", f"/api/v1/projects/{project_id}")
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise ServiceUnavailable(f"the tasks service answered {response.status_code} for project {project_id}",
                                 service="tasks")  # fmt: skip
    project = response.json()
    return project["task_type"], project.get("locales") or [(project["required_languages"] or [None])[0]]


async def units_not_accepted(services: ServiceClient, *, project_id: int) -> Decimal:
    """The project's units still to be accepted: every task at its overlap, less the accepted answers
    (answers awaiting review and rejected ones to redo are still to pay for)."""
    body = await _get(services, f"/api/v1/projects/{project_id}/stats", {})
    try:
        progress = body["progress"]
        return Decimal(max(int(progress["units_total"]) - int(progress["accepted"]), 0))
    except (KeyError, TypeError, ValueError) as exc:
        raise ServiceUnavailable("the tasks service's project stats are malformed", service="tasks") from exc


async def project_accepted_units(
    services: ServiceClient, *, project_id: int, start: date, end: date
) -> Decimal:
    """Every accepted unit of the project in the period, whoever did it (crowd contributors included)."""
    body = await _get(services, "/api/v1/production", period_params(start, end))
    try:
        return sum(
            (
                Decimal(str(item["accepted_units"]))
                for item in body["items"]
                if item["project_id"] == project_id
            ),
            Decimal(0),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ServiceUnavailable(
            "the tasks service's production figures are malformed", service="tasks"
        ) from exc


async def measured_by_day(
    services: ServiceClient, *, vendor_id: int, start: date, end: date
) -> list[DayMeasure]:
    """The vendor's accepted units and the seconds spent on them per UTC day of decision, task type and
    language (summed over projects): what invoices are reconciled against."""
    params = {**period_params(start, end), "vendor_id": vendor_id, "group_by": "day"}
    body = await _get(services, "/api/v1/production", params)
    totals: dict[tuple[date, str, str], list[Decimal]] = {}
    spelled: dict[tuple[str, str], str] = {}
    try:
        for item in body["items"]:
            if item.get("vendor_id") != vendor_id:
                continue
            task_type = str(item["task_type"])
            language = str(item.get("language") or "*")  # no required language: the any-language rate
            # One spelling per language (BCP 47 is case-insensitive), so two projects' "en" and "EN" add up.
            language = spelled.setdefault((task_type, language.casefold()), language)
            figures = totals.setdefault(
                (date.fromisoformat(str(item["day"])), task_type, language), [Decimal(0)] * 2
            )
            figures[0] += Decimal(str(item["accepted_units"]))
            # Required, not defaulted: an hour line read against a missing figure would be money from nothing.
            figures[1] += Decimal(str(item["handling_seconds"]))
        return [
            DayMeasure(day, t, lang, units, seconds)
            for (day, t, lang), (units, seconds) in sorted(totals.items())
        ]
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ServiceUnavailable(
            "the tasks service's production figures are malformed", service="tasks"
        ) from exc
