"""Market benchmarks and negotiation rounds compared with them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Benchmark, Contract, NegotiationRound
from services.vendors.repository import benchmarks as benchmark_repository
from services.vendors.repository import negotiations as negotiation_repository
from services.vendors.rules.benchmarks import compare_to_benchmark
from services.vendors.schemas.benchmarks import BenchmarkCreate, BenchmarkImportResult
from services.vendors.schemas.negotiations import NegotiationCreate
from services.vendors.schemas.rate_cards import RateLineIn
from services.vendors.service import rate_cards
from services.vendors.service.common import actor, jsonable, not_found
from services.vendors.service.contracts import get_contract
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, Unprocessable
from shared.pagination import PageParams, page_of

MAX_CSV_ROWS = 5000
CSV_COLUMNS = ("task_type", "language", "region", "unit", "currency", "p25", "median", "p75")


async def upsert_benchmark(session: AsyncSession, *, data: BenchmarkCreate) -> tuple[Benchmark, bool]:
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


async def get_benchmark(session: AsyncSession, *, principal: Principal, benchmark_id: int) -> Benchmark:
    row = await benchmark_repository.get_benchmark(session, principal=principal, benchmark_id=benchmark_id)
    if row is None:
        raise not_found("benchmark", benchmark_id)
    return row


async def delete_benchmark(session: AsyncSession, *, benchmark: Benchmark) -> None:
    await session.delete(benchmark)
    await session.flush()


def _csv_error(line: int, detail: str) -> Unprocessable:
    return Unprocessable(
        f"CSV line {line}: {detail}",
        errors=[{"pointer": f"/{line}", "field": f"line {line}", "in": "body", "detail": detail}],
    )


async def import_benchmarks(session: AsyncSession, *, text: str) -> BenchmarkImportResult:
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
        _, was_created = await upsert_benchmark(session, data=data)
        created += was_created
        updated += not was_created
    return BenchmarkImportResult(created=created, updated=updated)


async def compare_lines(session: AsyncSession, *, round_: NegotiationRound, currency: str) -> list[dict]:
    """Each proposed line with its benchmark position: % above (+) or below (−) the median and its band."""
    compared = []
    for line in round_.lines:
        benchmark = await benchmark_repository.find_benchmark(
            session,
            task_type=line["task_type"],
            language=line["language"],
            region=round_.region,
            unit=line["unit"],
            currency=currency,
        )
        comparison = None
        if benchmark is not None:
            result = compare_to_benchmark(
                Decimal(line["unit_price"]), p25=benchmark.p25, median=benchmark.median, p75=benchmark.p75
            )
            comparison = {
                "benchmark_id": benchmark.id,
                "p25": str(benchmark.p25),
                "median": str(benchmark.median),
                "p75": str(benchmark.p75),
                "percent_vs_median": str(result.percent_vs_median),
                "band": result.band.value,
            }
        compared.append({**line, "benchmark": comparison})
    return compared


async def propose_round(
    session: AsyncSession, *, principal: Principal, data: NegotiationCreate
) -> NegotiationRound:
    contract = await get_contract(session, principal=principal, contract_id=data.contract_id)
    if contract.status not in ("draft", "negotiating", "active"):
        raise Conflict(f"contract {contract.id} is {contract.status}; its rates can no longer be negotiated")
    rate_cards.rows_from(
        data.lines, contract_id=contract.id
    )  # same validation as the rate card it may become
    round_ = NegotiationRound(
        contract_id=contract.id,
        proposed_by=data.proposed_by,
        region=data.region,
        note=data.note,
        lines=jsonable([line.model_dump() for line in data.lines]),
        created_by=actor(principal),
    )
    session.add(round_)
    await session.flush()
    return round_


async def get_round(
    session: AsyncSession, *, principal: Principal, round_id: int
) -> tuple[NegotiationRound, Contract]:
    round_ = await negotiation_repository.get_round(session, principal=principal, round_id=round_id)
    if round_ is None:
        raise not_found("negotiation round", round_id)
    return round_, await get_contract(session, principal=principal, contract_id=round_.contract_id)


async def decide_round(
    session: AsyncSession, *, principal: Principal, round_: NegotiationRound, contract: Contract, accept: bool
) -> NegotiationRound:
    """Accepting writes the round's lines as the contract's rate card; other open rounds are superseded."""
    if round_.status != "open":
        raise Conflict(f"negotiation round {round_.id} is already {round_.status}")
    round_.status = "accepted" if accept else "rejected"
    round_.decided_at = utcnow()
    if accept:
        lines = [RateLineIn(**line) for line in round_.lines]
        await rate_cards.write_rate_card(session, principal=principal, contract=contract, lines=lines)
        for other in await negotiation_repository.rounds_of_contract(session, contract_id=contract.id):
            if other.id != round_.id and other.status == "open":
                other.status = "superseded"
                other.decided_at = round_.decided_at
    await session.flush()
    return round_


async def list_benchmarks(
    session: AsyncSession, *, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Benchmark], int | None]:
    """Filters: task_type, language, region (None: any)."""
    rows = await benchmark_repository.list_benchmarks(session, principal=principal, page=page, **filters)
    return page_of(rows, limit=page.limit)


async def list_rounds(
    session: AsyncSession, *, principal: Principal, page: PageParams, contract_id: int | None
) -> tuple[list[NegotiationRound], int | None]:
    rows = await negotiation_repository.list_rounds(
        session, principal=principal, page=page, contract_id=contract_id
    )
    return page_of(rows, limit=page.limit)
