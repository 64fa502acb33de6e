"""HTTP for /api/v1/reports: the shift handover and the KPI table, as JSON, CSV or XLSX."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.gateway.deps import ReportReader
from services.gateway.rules import reports
from services.gateway.rules.reports import Period, period_start
from services.gateway.schemas.reports import Format, HandoverReport, KpiReport, SectionRead
from services.gateway.service import reports as service
from shared.db import utcnow
from shared.http import ServicesDep
from shared.reports import ReportWindow, checked_window
from shared.types import Timestamp

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

DOWNLOADS = {
    200: {
        "description": "The report; `format=csv` and `format=xlsx` answer a file to download",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            reports.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _window(since, until, *, period: Period) -> ReportWindow:
    """Ending at `until` (default now) and starting at `since` (default: one period before the end)."""
    until = until or utcnow()
    return checked_window(period_start(until, period) if since is None else since, until)


def _download(content: bytes | str, *, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get("/handover", response_model=HandoverReport, responses=DOWNLOADS)
async def handover_report(
    services: ServicesDep,
    _reader: ReportReader,
    since: Annotated[Timestamp | None, Query(description="default: one shift (8 hours) before until")] = None,
    until: Annotated[Timestamp | None, Query(description="default: now")] = None,
    format: Format = "json",
):
    """What the next shift must know: contributor queries, partner communications and follow-ups, projects
    at risk, paused work, permission changes and the shift notes addressed to each team."""
    window = _window(since, until, period="shift")
    sections = await service.handover_sections(services=services, window=window)
    if format == "csv":
        return _download(reports.sections_as_csv(sections), media_type="text/csv", filename="handover.csv")
    if format == "xlsx":
        return _download(
            reports.sections_as_xlsx(sections), media_type=reports.XLSX_MEDIA_TYPE, filename="handover.xlsx"
        )
    return HandoverReport(
        since=window.since.isoformat(),
        until=window.until.isoformat(),
        sections=[
            SectionRead(
                service=s.service,
                title=s.title,
                summary=s.summary,
                items=s.items,
                total=s.total,
                truncated=s.truncated,
            )
            for s in sections
        ],
    )


@router.get("/kpis", response_model=KpiReport, responses=DOWNLOADS)
async def kpi_report(
    services: ServicesDep,
    _reader: ReportReader,
    period: Period = "week",
    since: Annotated[Timestamp | None, Query(description="default: one period before until")] = None,
    until: Annotated[Timestamp | None, Query(description="default: now")] = None,
    format: Format = "json",
):
    """Productivity, quality, latency, wellness and cost per accepted label, per project and per vendor."""
    window = _window(since, until, period=period)
    rows = await service.kpi_rows(services=services, window=window)
    if format == "csv":
        return _download(reports.rows_as_csv(rows), media_type="text/csv", filename="kpis.csv")
    if format == "xlsx":
        return _download(
            reports.rows_as_xlsx(rows, title="KPIs"), media_type=reports.XLSX_MEDIA_TYPE, filename="kpis.xlsx"
        )
    return KpiReport(since=window.since.isoformat(), until=window.until.isoformat(), period=period, rows=rows)
