"""HTTP for /api/v1/reports: the shift handover and the KPI table, as JSON, CSV or XLSX."""

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.gateway import reports
from services.gateway.auth import CurrentUser
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Forbidden, Unprocessable
from shared.types import Timestamp

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

REPORT_ROLES = frozenset({"admin", "ops", "vendor_manager", "support", "analyst"})
Format = Literal["json", "csv", "xlsx"]
Period = Literal["shift", "day", "week", "month"]
PERIOD_HOURS = {"shift": 12, "day": 24, "week": 24 * 7, "month": 24 * 30}


async def _report_reader(principal: CurrentUser) -> Principal:
    if not principal.has_any(*REPORT_ROLES):
        raise Forbidden("reports are for operations staff")
    return principal


_report_reader.allowed_roles = REPORT_ROLES  # type: ignore[attr-defined]
ReportReader = Annotated[Principal, Depends(_report_reader)]


def _window(since, until, *, period: str) -> tuple[str, str]:
    until = until or utcnow()
    since = since or until - timedelta(hours=PERIOD_HOURS[period])
    if since >= until:
        raise Unprocessable(
            "since must be before until",
            errors=[{"pointer": "/since", "field": "since", "in": "query", "detail": "not before until"}],
        )
    return since.isoformat(), until.isoformat()


def _download(content: bytes | str, *, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get("/handover")
async def handover_report(
    request: Request,
    _reader: ReportReader,
    since: Annotated[Timestamp | None, Query()] = None,
    until: Annotated[Timestamp | None, Query()] = None,
    format: Format = "json",
):
    """What the next shift must know: support, partners, projects at risk, permissions, shift notes."""
    start, end = _window(since, until, period="shift")
    sections = await reports.handover_sections(request.app.state.services, since=start, until=end)
    if format == "csv":
        return _download(reports.sections_as_csv(sections), media_type="text/csv", filename="handover.csv")
    if format == "xlsx":
        return _download(
            reports.sections_as_xlsx(sections), media_type=reports.XLSX_MEDIA_TYPE, filename="handover.xlsx"
        )
    return {
        "since": start,
        "until": end,
        "sections": [{"title": s.title, "summary": s.summary, "items": s.items} for s in sections],
    }


@router.get("/kpis")
async def kpi_report(
    request: Request,
    _reader: ReportReader,
    since: Annotated[Timestamp | None, Query()] = None,
    until: Annotated[Timestamp | None, Query()] = None,
    period: Period = "week",
    format: Format = "json",
):
    """Productivity, quality, latency, wellness and cost per accepted label, per project and vendor."""
    start, end = _window(since, until, period=period)
    rows = await reports.kpi_rows(request.app.state.services, since=start, until=end)
    if format == "csv":
        return _download(reports.rows_as_csv(rows), media_type="text/csv", filename="kpis.csv")
    if format == "xlsx":
        return _download(
            reports.rows_as_xlsx(rows, title="KPIs"), media_type=reports.XLSX_MEDIA_TYPE, filename="kpis.xlsx"
        )
    return {"since": start, "until": end, "rows": rows}
