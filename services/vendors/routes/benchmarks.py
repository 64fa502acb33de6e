"""HTTP for /api/v1/benchmarks."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.vendors.deps import BenchmarkToEdit, BenchmarkToRead, InternalRecordsRead, Paging, VendorsManage
from services.vendors.schemas.benchmarks import (
    BenchmarkCreate,
    BenchmarkImportResult,
    BenchmarkPage,
    BenchmarkRead,
)
from services.vendors.service import benchmarks as service
from shared.db import ReadSessionDep, SessionDep
from shared.errors import PayloadTooLarge, Unprocessable

router = APIRouter(prefix="/api/v1/benchmarks", tags=["benchmarks"])

MAX_CSV_BYTES = 1024 * 1024


@router.post("", status_code=201, response_model=BenchmarkRead)
async def upsert_benchmark(
    data: BenchmarkCreate, session: SessionDep, _principal: VendorsManage, response: Response
):
    row, created = await service.upsert_benchmark(session=session, data=data)
    response.status_code = 201 if created else 200
    return row


@router.post(
    "/import",
    response_model=BenchmarkImportResult,
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def import_benchmarks(request: Request, session: SessionDep, _principal: VendorsManage):
    """CSV with header task_type,language,region,unit,currency,p25,median,p75[,source]; all rows or none."""
    body = await request.body()
    if len(body) > MAX_CSV_BYTES:
        raise PayloadTooLarge(f"CSV larger than {MAX_CSV_BYTES} bytes")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unprocessable("CSV must be UTF-8") from exc
    return await service.import_benchmarks(session=session, text=text)


@router.get("/{benchmark_id}", response_model=BenchmarkRead)
async def read_benchmark(benchmark: BenchmarkToRead):
    return benchmark


@router.delete("/{benchmark_id}", status_code=204)
async def delete_benchmark(benchmark: BenchmarkToEdit, session: SessionDep):
    await service.delete_benchmark(session=session, benchmark=benchmark)
    return Response(status_code=204)


@router.get("", response_model=BenchmarkPage)
async def list_benchmarks(
    session: ReadSessionDep,
    principal: InternalRecordsRead,
    page: Paging,
    task_type: Annotated[str | None, Query(max_length=50)] = None,
    language: Annotated[str | None, Query(max_length=35)] = None,
    region: Annotated[str | None, Query(max_length=50)] = None,
):
    items, next_cursor = await service.list_benchmarks(
        session=session, principal=principal, page=page, task_type=task_type, language=language, region=region
    )
    return BenchmarkPage(items=items, next_cursor=next_cursor)
