"""API models of production statistics and of the stats of a project, vendor and contributor."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class ProductionItem(BaseModel):
    project_id: int
    task_type: str
    language: str | None
    vendor_id: int | None
    day: date | None = Field(
        default=None, description="UTC day of the decisions (YYYY-MM-DD) with group_by=day; null otherwise"
    )
    accepted_units: int
    rejected_units: int
    handling_seconds: int = Field(
        default=0, description="time_spent_seconds summed over the accepted units (hours billed per hour)"
    )


class ProductionRead(BaseModel):
    items: list[ProductionItem]


class KpiFigures(BaseModel):
    """A scope's count-based KPIs, as `rules/kpis.figures` defines each (README "KPI glossary")."""

    tasks_finished: int
    avg_turnaround_seconds: float | None
    submissions: int
    accepted_labels: int
    rejected_labels: int
    throughput_per_hour: float | None
    avg_handling_seconds: float | None
    productivity_per_hour: float | None
    gold_accuracy: float | None
    rejection_rate: float | None
    delivery_turnaround_hours: float | None
    delivery_on_time_rate: float | None


class VendorStatsRead(KpiFigures):
    vendor_id: int
    accepted_units: int
    rejected_units: int
    exposure_minutes_by_severity: dict[str, float]


class ContributorStatsRead(BaseModel):
    contributor_id: int
    submissions: int
    accepted: int
    rejected: int
    avg_handling_seconds: float | None
    gold_accuracy: float | None


class Progress(BaseModel):
    tasks_total: int
    tasks_completed: int
    tasks_open: int
    leased_now: int
    units_total: int = Field(description="tasks × overlap, raised overlap included")
    units_submitted: int
    units_left: int
    accepted: int
    rejected: int


class Turnaround(BaseModel):
    window_hours: float
    tasks_finished: int
    avg_turnaround_seconds: float | None


class Agreement(BaseModel):
    sample_size: int
    krippendorff_alpha: float | None


class ProjectSla(BaseModel):
    turnaround_hours: float | None
    tasks_on_time: int
    sla_breaches: int = Field(description="finished late, or open past due")
    on_time_rate: float | None
    open_breached_tasks: int
    at_risk_tasks: int


class Forecast(BaseModel):
    finish_at: datetime | None
    deadline: datetime | None
    on_track: bool | None


ForecastStatus = Literal[
    "infeasible", "past_deadline", "understaffed", "unknown", "no_deadline", "on_track", "done"
]


class AssumptionRead(BaseModel):
    value: float | None
    source: Literal["stated", "measured", "project", "default", "handling", "none"] = Field(
        description="stated in the request, measured from answers, the project's plan, the default, "
        "the handling time (review), or none"
    )


class Assumptions(BaseModel):
    handling_seconds: AssumptionRead
    review_seconds: AssumptionRead
    hours_per_day: AssumptionRead


class LocaleManpower(BaseModel):
    locale: str | None = Field(description="null for a project without locales")
    tasks_open: int
    labeling_units_left: int
    review_units_left: float
    contributor_hours_needed: float | None
    headcount_needed: int | None
    eligible_pool: int = Field(
        description="contributors the lasting lease rules let work it, speaking its language"
    )
    max_overlap: int
    status: ForecastStatus
    reason: str | None


class Manpower(BaseModel):
    """The manpower forecast (README "Manpower forecast"): per locale and the project's worst status."""

    status: ForecastStatus
    deadline: datetime | None
    contributor_hours_needed: float | None
    headcount_needed: int | None
    assumptions: Assumptions
    locales: list[LocaleManpower]


class ProjectStatsRead(BaseModel):
    project_id: int
    status: str
    progress: Progress
    throughput_per_hour: float | None
    throughput_window_hours: float
    turnaround: Turnaround
    avg_handling_seconds: float | None
    productivity_per_hour: float | None
    gold_accuracy: float | None
    agreement: Agreement
    sla: ProjectSla
    forecast: Forecast
    manpower: Manpower


class AtRiskTaskRead(BaseModel):
    """An open task at risk of its SLA now, or already past its due time (`breached`)."""

    task_id: int
    external_id: str | None
    due_at: datetime = Field(description="its own due time, else its import + the project's SLA turnaround")
    assigned_count: int = Field(description="live and submitted assignments")
    completed_count: int
    overlap: int
    sla_state: Literal["at_risk", "breached"]


class AtRiskTaskPage(BaseModel):
    items: list[AtRiskTaskRead]
    next_cursor: str | None = None
