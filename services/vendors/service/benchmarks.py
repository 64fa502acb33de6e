"""Market benchmarks: rate quartiles by task type, language, region and unit, one by one or from a CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Benchmark
from services.vendors.repository import benchmarks as benchmark_repository
from services.vendors.schemas.benchmarks import BenchmarkCreate, BenchmarkImportResult
from services.vendors.service.common import found
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Unprocessable
from shared.pagination import PageParams, page_of

MAX_CSV_ROWS = 5000
CSV_COLUMNS = ("task_type", "language", "region", "unit", "currency", "p25", "median", "p75")


async def upsert_benchmark(*, session: AsyncSession, data: BenchmarkCreate) -> tuple[Benchmark, bool]:
    """Create the benchmark or replace the figures of the one with the same key; True when created."""
    key = data.model_dump(include={"task_type", "language", "region", "unit", "currency"})
    row = await benchmark_repository.find_benchmark(session, **key)
    created = row is None
    row = row or Benchmark(**key)
    row.p25, row.median, row.p75, row.source = data.p25, data.median, data.p75, data.source
    row.updated_at = utcnow()
    session.add(row)
    await session.flush()
    return row, created


async def get_benchmark(*, session: AsyncSession, principal: Principal, benchmark_id: int) -> Benchmark:
    row = await benchmark_repository.get_benchmark(session, principal=principal, benchmark_id=benchmark_id)
    return found(row, "benchmark", benchmark_id)


async def delete_benchmark(*, session: AsyncSession, benchmark: Benchmark) -> None:
    await session.delete(benchmark)
    await session.flush()


def _csv_error(line: int, detail: str) -> Unprocessable:
    return Unprocessable(
        f"CSV line {line}: {detail}",
        errors=[{"pointer": f"/{line}", "field": f"line {line}", "in": "body", "detail": detail}],
    )


async def import_benchmarks(*, session: AsyncSession, text: str) -> BenchmarkImportResult:
    """Upsert every row of a CSV with a header naming CSV_COLUMNS (+ optional source); all or nothing."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise _csv_error(1, f"header lacks column(s): {', '.join(missing)}")
    created = updated = 0
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_CSV_ROWS:
            raise _csv_error(number, f"more than {MAX_CSV_ROWS} rows")
        values = {k: (v or "").strip() for k, v in raw.items() if k in (*CSV_COLUMNS, "source")}
        try:
            for name in ("p25", "median", "p75"):
                values[name] = Decimal(values[name])  # type: ignore[assignment]
            data = BenchmarkCreate(**{k: v for k, v in values.items() if v != ""})
        except (InvalidOperation, ValidationError, ValueError) as exc:
            raise _csv_error(number, str(exc).splitlines()[0][:300]) from exc
        _, was_created = await upsert_benchmark(session=session, data=data)
        created += was_created
        updated += not was_created
    return BenchmarkImportResult(created=created, updated=updated)


async def list_benchmarks(
    *, session: AsyncSession, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Benchmark], int | None]:
    """Filters: task_type, language, region (None: any)."""
    rows = await benchmark_repository.list_benchmarks(session, principal=principal, page=page, **filters)
    return page_of(rows, limit=page.limit)
