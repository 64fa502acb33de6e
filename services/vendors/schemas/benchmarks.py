"""API models: market benchmarks (rate quartiles by task type, language and region)."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

from services.vendors.schemas.base import Code, Currency, Language, Price, Read, Unit, Write


class BenchmarkCreate(Write):
    task_type: Code
    language: Language
    region: Code
    unit: Unit
    currency: Currency
    p25: Price
    median: Price = Field(gt=0)
    p75: Price
    source: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def quartiles_in_order(self) -> "BenchmarkCreate":
        if not self.p25 <= self.median <= self.p75:
            raise ValueError("benchmark must satisfy p25 <= median <= p75")
        return self


class BenchmarkRead(Read):
    id: int
    task_type: str
    language: str
    region: str
    unit: str
    currency: str
    p25: Decimal
    median: Decimal
    p75: Decimal
    source: str | None
    updated_at: datetime


class BenchmarkPage(BaseModel):
    items: list[BenchmarkRead]
    next_cursor: str | None = None


class BenchmarkImportResult(BaseModel):
    created: int
    updated: int
