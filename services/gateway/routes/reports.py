"""HTTP for /api/v1/reports: the shift handover and the KPI table, as JSON, CSV or XLSX."""

from collections.abc import Callable
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
from shared.spreadsheets import XLSX_MEDIA_TYPE
from shared.types import Timestamp

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

DOWNLOADS = {
    200: {
        "description": "The report; `format=csv` and `format=xlsx` answer a file to download (the workbook "
        "opens on an `About` sheet naming the report, its window, when it was made and the definitions "
        "of the KPIs it shows)",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _window(since, until, *, period: Period) -> ReportWindow:
    """Ending at `until` (default now) and starting at `since` (default: one period before the end)."""
    until = until or utcnow()
    return checked_window(period_start(until, period) if since is None else since, until)


def _cover(report: str, window: ReportWindow, **kwargs) -> reports.Cover:
    return reports.Cover(report, since=window.since, until=window.until, generated_at=utcnow(), **kwargs)


def _download(
    format: Format, *, name: str, as_csv: Callable[[], str], as_xlsx: Callable[[], bytes]
) -> Response:
    content, media_type = (as_csv(), "text/csv") if format == "csv" else (as_xlsx(), XLSX_MEDIA_TYPE)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
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
    sections, definitions = await service.handover_sections(services=services, window=window)
    if format != "json":
        cover = _cover("shift handover", window, definitions=definitions)
        return _download(
            format,
            name="handover",
            as_csv=lambda: reports.sections_as_csv(sections),
            as_xlsx=lambda: reports.sections_as_xlsx(sections, cover=cover),
        )
    return HandoverReport(
        since=window.since.isoformat(),
        until=window.until.isoformat(),
        definitions=definitions,
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
    rows, definitions = await service.kpi_rows(services=services, window=window)
    if format != "json":
        cover = _cover("KPI report", window, definitions=definitions, period=period)
        return _download(
            format,
            name="kpis",
            as_csv=lambda: reports.rows_as_csv(rows),
            as_xlsx=lambda: reports.rows_as_xlsx(rows, title="KPIs", cover=cover),
        )
    return KpiReport(
        since=window.since.isoformat(),
        until=window.until.isoformat(),
        period=period,
        rows=rows,
        definitions=definitions,
    )
