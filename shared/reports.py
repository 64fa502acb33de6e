"""The contract of the services' report sections, which the gateway composes into operations reports.

Every service answers `GET /internal/reports/handover?since=&until=` with named sections (a summary of
figures and a bounded table of items) and, where it owns KPI facts, `GET /internal/reports/kpis` with
rows keyed by (scope, id) that the gateway merges across services.
"""

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from shared import windows
from shared.auth import ServiceCaller
from shared.types import Timestamp
from shared.windows import TimeWindow

# A report is read by a person: a table longer than this is a query for the list endpoints instead.
MAX_ITEMS = 200
# Bounds the work one report asks of each database (a KPI month, a shift, a quarter).
MAX_WINDOW = timedelta(days=366)


class Section(BaseModel):
    summary: dict[str, Any] = Field(default_factory=dict)
    items: list[dict[str, Any]] = Field(default_factory=list)
    # How many items there are in all; `truncated` when `items` shows only the first MAX_ITEMS of them.
    total: int | None = None
    truncated: bool = False

    @classmethod
    def capped(cls, summary: dict[str, Any], items: list[dict[str, Any]], *, total: int) -> "Section":
        """A section of `items` (the first of `total`), saying so when the report could not hold them all."""
        shown = items[:MAX_ITEMS]
        return cls(summary=summary, items=shown, total=total, truncated=total > len(shown))


# KPI (a column or summary name) → its definition in words, from the rules/kpis.py of the service that owns
# it: the gateway writes them on its report files' cover sheets, so a file says what its figures mean.
Definitions = Field(default_factory=dict)


class HandoverSections(BaseModel):
    """Section title → section, in the order the report shows them."""

    sections: dict[str, Section]
    definitions: dict[str, str] = Definitions


class KpiRows(BaseModel):
    """One row per (scope, id), scope being "project" or "vendor", with the figures this service owns."""

    rows: list[dict[str, Any]]
    definitions: dict[str, str] = Definitions


# A report's window is the API's (shared.windows), bounded in length.
ReportWindow = TimeWindow


def checked_window(since: datetime, until: datetime) -> ReportWindow:
    """[since, until) in UTC as shared.windows checks every window, and at most MAX_WINDOW long."""
    return windows.checked_window(since, until, longest=MAX_WINDOW)


async def report_window(
    since: Annotated[Timestamp, Query()], until: Annotated[Timestamp, Query()]
) -> ReportWindow:
    return checked_window(since, until)


ReportWindowDep = Annotated[ReportWindow, Depends(report_window)]


def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to divide (a rate of nothing is unknown, not 0)."""
    return part / whole if whole else None


def report_router(
    *,
    handover_sections: Callable[..., Awaitable[HandoverSections]],
    kpi_rows: Callable[..., Awaitable[KpiRows]],
    definitions: Mapping[str, str],
) -> APIRouter:
    """`/internal/reports` of a service, for the gateway only. The two functions are the service's own,
    declared with the dependencies they need (a read session, the report window, a peer client);
    `definitions` are its KPIs' (its rules/kpis.py), answered with both."""
    router = APIRouter(prefix="/internal/reports", tags=["reports"], include_in_schema=False)

    @router.get("/handover", response_model=HandoverSections)
    async def handover(
        sections: Annotated[HandoverSections, Depends(handover_sections)], _caller: ServiceCaller
    ) -> HandoverSections:
        return sections.model_copy(update={"definitions": dict(definitions)})

    @router.get("/kpis", response_model=KpiRows)
    async def kpis(rows: Annotated[KpiRows, Depends(kpi_rows)], _caller: ServiceCaller) -> KpiRows:
        return rows.model_copy(update={"definitions": dict(definitions)})

    return router
