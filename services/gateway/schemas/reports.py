"""API models of /api/v1/reports: the shift handover and the KPI table."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from services.gateway.rules.reports import Period

Format = Literal["json", "csv", "xlsx"]


class SectionRead(BaseModel):
    service: str
    title: str
    summary: dict[str, Any]
    items: list[dict[str, Any]]
    total: int | None = Field(None, description="how many items there are in all")
    truncated: bool = Field(
        False, description="`items` holds only the first of `total`: ask the list endpoint"
    )


DEFINITIONS = Field(
    default_factory=dict,
    description='KPI → its definition, in the words of the service that owns it (README "KPI glossary")',
)


class HandoverReport(BaseModel):
    since: str
    until: str
    sections: list[SectionRead]
    definitions: dict[str, str] = DEFINITIONS


class KpiReport(BaseModel):
    since: str
    until: str
    period: Period
    rows: list[dict[str, Any]]
    definitions: dict[str, str] = DEFINITIONS
