"""API models of production statistics."""

from pydantic import BaseModel


class ProductionItem(BaseModel):
    project_id: int
    task_type: str
    language: str | None
    vendor_id: int | None
    accepted_units: int
    rejected_units: int


class ProductionRead(BaseModel):
    items: list[ProductionItem]
