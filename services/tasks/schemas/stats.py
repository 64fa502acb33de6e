"""API models of production statistics."""

from datetime import date

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
