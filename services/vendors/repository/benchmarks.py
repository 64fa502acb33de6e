"""Queries on market benchmarks."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Benchmark
from services.vendors.repository import common
from services.vendors.repository.common import first, readable
from shared.auth import Principal
from shared.pagination import PageParams


def readable_benchmarks(principal: Principal) -> Select:
    return readable(Benchmark, principal)


async def get_benchmark(
    session: AsyncSession, *, principal: Principal, benchmark_id: int
) -> Benchmark | None:
    return await first(session, readable_benchmarks(principal).where(Benchmark.id == benchmark_id))


async def list_benchmarks(
    session: AsyncSession,
    *,
    principal: Principal,
    page: PageParams,
    task_type: str | None,
    language: str | None,
    region: str | None,
) -> list[Benchmark]:
    stmt = benchmark_filters(
        readable_benchmarks(principal), task_type=task_type, language=language, region=region
    )
    return await common.page(session, stmt, Benchmark, page=page)


async def find_benchmark(
    session: AsyncSession, *, task_type: str, language: str, region: str, unit: str, currency: str
) -> Benchmark | None:
    stmt = select(Benchmark).where(
        Benchmark.task_type == task_type,
        Benchmark.language == language,
        Benchmark.region == region,
        Benchmark.unit == unit,
        Benchmark.currency == currency,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def benchmark_filters(
    stmt: Select, *, task_type: str | None, language: str | None, region: str | None
) -> Select:
    if task_type:
        stmt = stmt.where(Benchmark.task_type == task_type)
    if language:
        stmt = stmt.where(Benchmark.language == language)
    if region:
        stmt = stmt.where(Benchmark.region == region)
    return stmt
