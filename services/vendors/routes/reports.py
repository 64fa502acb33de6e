"""HTTP for /internal/reports: this service's sections of the gateway's handover and KPI reports."""

from fastapi import APIRouter, Request

from services.vendors.service import reports as service
from shared.auth import ServiceCaller
from shared.db import ReadSessionDep
from shared.reports import HandoverSections, KpiRows, ReportWindowDep

router = APIRouter(prefix="/internal/reports", tags=["reports"], include_in_schema=False)


@router.get("/handover", response_model=HandoverSections)
async def handover_sections(window: ReportWindowDep, session: ReadSessionDep, _caller: ServiceCaller):
    return await service.handover_sections(session, window=window)


@router.get("/kpis", response_model=KpiRows)
async def kpi_rows(
    request: Request, window: ReportWindowDep, session: ReadSessionDep, _caller: ServiceCaller
):
    return await service.kpi_rows(session, request.app, window=window)
