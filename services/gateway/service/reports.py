"""Operations reports: every service is asked for its part at once (`rules.reports` composes them)."""

import asyncio
from typing import Any

from services.gateway.rules.reports import Section, definitions_from, handover_from, kpis_from
from shared.http import ServiceClient
from shared.reports import ReportWindow
from shared.settings import SERVICE_NAMES


async def _ask_all(services: ServiceClient, path: str, window: ReportWindow) -> dict[str, dict[str, Any]]:
    """Every service's answer, asked concurrently; one that cannot answer makes the report a 503 naming it."""
    params = {"since": window.since.isoformat(), "until": window.until.isoformat()}

    async def ask(name: str) -> tuple[str, dict[str, Any]]:
        section = await services.json_object(
            name, "GET", path, params=params, what="its report section", headers={"Retry-After": "5"}
        )
        return name, section

    return dict(await asyncio.gather(*(ask(name) for name in SERVICE_NAMES)))


async def handover_sections(
    *, services: ServiceClient, window: ReportWindow
) -> tuple[list[Section], dict[str, str]]:
    """Every service's handover sections for the shift [since, until), and the definitions of their KPIs."""
    answers = await _ask_all(services, "/internal/reports/handover", window)
    return handover_from(answers), definitions_from(answers)


async def kpi_rows(
    *, services: ServiceClient, window: ReportWindow
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """One row per project and per vendor, each service filling in the figures it owns (and defining them)."""
    answers = await _ask_all(services, "/internal/reports/kpis", window)
    return kpis_from(answers), definitions_from(answers)
