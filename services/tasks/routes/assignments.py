"""HTTP for /api/v1/assignments (heartbeat, release, submit) and /api/v1/reviews."""

from fastapi import APIRouter, Response

from services.tasks.deps import Worker
from services.tasks.schemas.assignments import HeartbeatRead, SubmissionCreate, SubmissionRead
from services.tasks.schemas.reviews import ReviewCreate, ReviewRead
from services.tasks.service import assignments, reviews
from shared.db import SessionDep
from shared.idempotency import IdempotencyKeyHeader
from shared.rawsql import RawConnectionDep
from shared.responses import JSONBytes
from shared.types import PathId

router = APIRouter(prefix="/api/v1", tags=["assignments"])


@router.post("/assignments/{assignment_id}/heartbeat", response_model=HeartbeatRead)
async def heartbeat(assignment_id: PathId, connection: RawConnectionDep, principal: Worker):
    return await assignments.heartbeat(connection, principal=principal, assignment_id=assignment_id)


@router.post("/assignments/{assignment_id}/release", status_code=204)
async def release(assignment_id: PathId, connection: RawConnectionDep, principal: Worker):
    await assignments.release(connection, principal=principal, assignment_id=assignment_id)
    return Response(status_code=204)


@router.post("/assignments/{assignment_id}/submit", status_code=201, response_model=SubmissionRead)
async def submit(
    assignment_id: PathId,
    data: SubmissionCreate,
    connection: RawConnectionDep,
    principal: Worker,
    idempotency_key: IdempotencyKeyHeader = None,
):
    status, body = await assignments.submit(
        connection,
        principal=principal,
        assignment_id=assignment_id,
        data=data,
        idempotency_key=idempotency_key,
    )
    return JSONBytes(body, status_code=status)


@router.post("/reviews", status_code=201, response_model=ReviewRead)
async def create_review(data: ReviewCreate, session: SessionDep, principal: Worker):
    return await reviews.record_review(session, principal=principal, data=data)
