"""HTTP for /api/v1/benchmarks and /api/v1/negotiations."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.vendors.deps import InternalRecordsRead, Paging, VendorsManage
from services.vendors.schemas.contracts import (
    BenchmarkCreate,
    BenchmarkImportResult,
    BenchmarkPage,
    BenchmarkRead,
    NegotiationCreate,
    NegotiationPage,
    NegotiationRead,
)
from services.vendors.service import negotiations as service
from shared.db import ReadSessionDep, SessionDep
from shared.errors import PayloadTooLarge, Unprocessable
from shared.types import MAX_ID, PathId

router = APIRouter(prefix="/api/v1/negotiations", tags=["negotiations"])
benchmark_router = APIRouter(prefix="/api/v1/benchmarks", tags=["benchmarks"])

MAX_CSV_BYTES = 1024 * 1024


@benchmark_router.post("", status_code=201, response_model=BenchmarkRead)
async def upsert_benchmark(
    data: BenchmarkCreate, session: SessionDep, _principal: VendorsManage, response: Response
):
    row, created = await service.upsert_benchmark(session, data=data)
    response.status_code = 201 if created else 200
    return row


@benchmark_router.post(
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
    return await service.import_benchmarks(session, text=text)


@benchmark_router.get("/{benchmark_id}", response_model=BenchmarkRead)
async def read_benchmark(benchmark_id: PathId, session: ReadSessionDep, principal: InternalRecordsRead):
    return await service.get_benchmark(session, principal=principal, benchmark_id=benchmark_id)


@benchmark_router.delete("/{benchmark_id}", status_code=204)
async def delete_benchmark(benchmark_id: PathId, session: SessionDep, principal: VendorsManage):
    row = await service.get_benchmark(session, principal=principal, benchmark_id=benchmark_id)
    await service.delete_benchmark(session, benchmark=row)
    return Response(status_code=204)


@benchmark_router.get("", response_model=BenchmarkPage)
async def list_benchmarks(
    session: ReadSessionDep,
    principal: InternalRecordsRead,
    page: Paging,
    task_type: Annotated[str | None, Query(max_length=50)] = None,
    language: Annotated[str | None, Query(max_length=35)] = None,
    region: Annotated[str | None, Query(max_length=50)] = None,
):
    items, next_cursor = await service.list_benchmarks(
        session, principal=principal, page=page, task_type=task_type, language=language, region=region
    )
    return BenchmarkPage(items=items, next_cursor=next_cursor)


async def _read(session, round_, contract) -> NegotiationRead:
    data = NegotiationRead.model_validate(round_)
    data.lines = await service.compare_lines(session, round_=round_, currency=contract.currency)
    data.currency = contract.currency
    return data


@router.post("", status_code=201, response_model=NegotiationRead)
async def propose_round(data: NegotiationCreate, session: SessionDep, principal: VendorsManage):
    round_ = await service.propose_round(session, principal=principal, data=data)
    _, contract = await service.get_round(session, principal=principal, round_id=round_.id)
    return await _read(session, round_, contract)


@router.get("/{round_id}", response_model=NegotiationRead)
async def read_round(round_id: PathId, session: ReadSessionDep, principal: InternalRecordsRead):
    """The round with each line compared with its market benchmark (% vs median, quartile band)."""
    round_, contract = await service.get_round(session, principal=principal, round_id=round_id)
    return await _read(session, round_, contract)


@router.post("/{round_id}/accept", response_model=NegotiationRead)
async def accept_round(round_id: PathId, session: SessionDep, principal: VendorsManage):
    """Accepting writes the round's lines as the contract's rate card."""
    round_, contract = await service.get_round(session, principal=principal, round_id=round_id)
    round_ = await service.decide_round(
        session, principal=principal, round_=round_, contract=contract, accept=True
    )
    return await _read(session, round_, contract)


@router.post("/{round_id}/reject", response_model=NegotiationRead)
async def reject_round(round_id: PathId, session: SessionDep, principal: VendorsManage):
    round_, contract = await service.get_round(session, principal=principal, round_id=round_id)
    round_ = await service.decide_round(
        session, principal=principal, round_=round_, contract=contract, accept=False
    )
    return await _read(session, round_, contract)


@router.get("", response_model=NegotiationPage)
async def list_rounds(
    session: ReadSessionDep,
    principal: InternalRecordsRead,
    page: Paging,
    contract_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
):
    items, next_cursor = await service.list_rounds(
        session, principal=principal, page=page, contract_id=contract_id
    )
    return NegotiationPage(items=items, next_cursor=next_cursor)
