"""HTTP for /internal/reports: this service's sections of the gateway's handover and KPI reports."""

from services.tasks.rules.kpis import DEFINITIONS
from services.tasks.service import reports as service
from shared.reports import report_router

router = report_router(
    handover_sections=service.handover_sections, kpi_rows=service.kpi_rows, definitions=DEFINITIONS
)
