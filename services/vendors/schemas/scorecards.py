"""API models: vendor scorecards."""

from datetime import date, datetime

from pydantic import BaseModel, model_validator

from services.vendors.schemas.base import Day, Read, RefId, Write


class ScorecardCreate(Write):
    vendor_id: RefId
    period_start: Day
    period_end: Day

    @model_validator(mode="after")
    def dates_in_order(self) -> "ScorecardCreate":
        if self.period_end < self.period_start:
            raise ValueError("period_end must not be before period_start")
        return self


class ScorecardRead(Read):
    id: int
    vendor_id: int
    contract_id: int
    period_start: date
    period_end: date
    status: str
    result: dict
    created_at: datetime
    published_at: datetime | None


class ScorecardPage(BaseModel):
    items: list[ScorecardRead]
    next_cursor: str | None = None
