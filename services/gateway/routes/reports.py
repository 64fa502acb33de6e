"""HTTP for /api/v1/reports: the shift handover and the KPI table, as JSON, CSV or XLSX."""

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from services.gateway import reports
from services.gateway.auth import CurrentUser
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Forbidden
from shared.reports import ReportWindow, checked_window
from shared.types import Timestamp

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

REPORT_ROLES = frozenset({"admin", "ops", "vendor_manager", "support", "analyst"})
Format = Literal["json", "csv", "xlsx"]
Period = Literal["shift", "day", "week", "month"]
PERIOD_HOURS = {"shift": 8, "day": 24, "week": 24 * 7, "month": 24 * 30}
DOWNLOADS = {
    200: {
        "description": "The report; `format=csv` and `format=xlsx` answer a file to download",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            reports.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


async def _report_reader(principal: CurrentUser) -> Principal:
    if not principal.has_any(*REPORT_ROLES):
        raise Forbidden("reports are for operations staff")
    return principal


_report_reader.allowed_roles = REPORT_ROLES  # type: ignore[attr-defined]
ReportReader = Annotated[Principal, Depends(_report_reader)]


class SectionRead(BaseModel):
    service: str
    title: str
    summary: dict[str, Any]
    items: list[dict[str, Any]]


class HandoverReport(BaseModel):
    since: str
    until: str
    sections: list[SectionRead]


class KpiReport(BaseModel):
    since: str
    until: str
    period: Period
    rows: list[dict[str, Any]]


def _window(since, until, *, period: str) -> ReportWindow:
    """Ending at `until` (default now) and starting at `since` (default: one period before the end)."""
    until = until or utcnow()
    if since is None:
        try:
            since = until - timedelta(hours=PERIOD_HOURS[period])
        except OverflowError:  # an `until` in year 1 has no period before it
            since = until
    return checked_window(since, until)


def _download(content: bytes | str, *, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get("/handover", response_model=HandoverReport, responses=DOWNLOADS)
async def handover_report(
    request: Request,
    _reader: ReportReader,
    since: Annotated[Timestamp | None, Query(description="default: one shift (8 hours) before until")] = None,
    until: Annotated[Timestamp | None, Query(description="default: now")] = None,
    format: Format = "json",
):
    """What the next shift must know: contributor queries, partner communications and follow-ups, projects
    at risk, paused work, permission changes and the shift notes addressed to each team."""
    window = _window(since, until, period="shift")
    sections = await reports.handover_sections(request.app.state.services, window=window)
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
            SectionRead(service=s.service, title=s.title, summary=s.summary, items=s.items) for s in sections
        ],
    )


@router.get("/kpis", response_model=KpiReport, responses=DOWNLOADS)
async def kpi_report(
    request: Request,
    _reader: ReportReader,
    period: Period = "week",
    since: Annotated[Timestamp | None, Query(description="default: one period before until")] = None,
    until: Annotated[Timestamp | None, Query(description="default: now")] = None,
    format: Format = "json",
):
    """Productivity, quality, latency, wellness and cost per accepted label, per project and per vendor."""
    window = _window(since, until, period=period)
    rows = await reports.kpi_rows(request.app.state.services, window=window)
    if format == "csv":
        return _download(reports.rows_as_csv(rows), media_type="text/csv", filename="kpis.csv")
    if format == "xlsx":
        return _download(
            reports.rows_as_xlsx(rows, title="KPIs"), media_type=reports.XLSX_MEDIA_TYPE, filename="kpis.xlsx"
        )
    return KpiReport(since=window.since.isoformat(), until=window.until.isoformat(), period=period, rows=rows)
