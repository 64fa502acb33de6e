"""HTTP of the assignment loop: `next` on a queue, then heartbeat, release or submit on the lease.

These definitions are the loop's whole contract: FastAPI serves them and builds the OpenAPI document
from them, and the fast dispatcher (dispatcher.py) answers well-formed `next` and `submit` calls by
calling these same endpoints, with the values FastAPI would have bound.
"""

import time
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.tasks import metrics
from services.tasks.assignment import leasing, submitting
from services.tasks.assignment.preconditions import QUEUE_REASON, QUEUE_REASONS, NoWork
from services.tasks.assignment.schemas import (
    ContributorAccessRead,
    EligibilityRead,
    HeartbeatRead,
    LeaseRead,
    SubmissionCreate,
    SubmissionRead,
)
from services.tasks.deps import ExplainAccess, ExplainEligibility, Worker
from shared.idempotency import IdempotencyKeyHeader
from shared.rawsql import RawConnectionDep
from shared.responses import JSONBytes
from shared.types import MAX_ID, PathId

router = APIRouter(prefix="/api/v1", tags=["assignments"])
NO_WORK = {
    204: {
        "description": "No work now: LabelOps-Queue-Reason says why "
        f"({' | '.join(QUEUE_REASONS)}) and Retry-After, where waiting helps, when to ask again"
    }
}


def no_work(outcome: NoWork) -> Response:
    """The one way `next` says there is nothing to do."""
    headers = {QUEUE_REASON: outcome.reason}
    if outcome.retry_after is not None:
        headers["Retry-After"] = str(outcome.retry_after)
    return Response(status_code=204, headers=headers)


@router.post("/queues/{queue_id}/next", response_model=LeaseRead, responses=NO_WORK)
async def lease_next(queue_id: PathId, connection: RawConnectionDep, principal: Worker):
    start = time.perf_counter()
    outcome = await leasing.lease_next(connection, principal=principal, queue_id=queue_id)
    result = outcome.reason if isinstance(outcome, NoWork) else "leased"
    metrics.NEXT_LATENCY.labels(result=result).observe(time.perf_counter() - start)
    if isinstance(outcome, NoWork):
        return no_work(outcome)
    # Serialised directly: the lease is built by the service in LeaseRead's shape.
    return JSONBytes(outcome)


@router.get("/queues/{queue_id}/eligibility", response_model=EligibilityRead)
async def eligibility(
    queue_id: PathId,
    contributor_id: Annotated[int, Query(ge=1, le=MAX_ID)],
    connection: RawConnectionDep,
    principal: ExplainEligibility,
):
    """Why the contributor gets work from this labeling queue now, or not: every lease precondition
    `next` applies, in its order, passed or not, with the values compared."""
    return await leasing.explain_eligibility(
        connection, principal=principal, queue_id=queue_id, contributor_id=contributor_id
    )


@router.get("/contributor-profiles/{contributor_id}/access", response_model=ContributorAccessRead)
async def contributor_access(contributor_id: PathId, connection: RawConnectionDep, principal: ExplainAccess):
    """Every labeling queue the contributor holds a grant on, and whether it gets work there now and why
    (the contributors service serves it as /contributors/{id}/access)."""
    return await leasing.contributor_access(connection, principal=principal, contributor_id=contributor_id)


@router.post("/assignments/{assignment_id}/heartbeat", response_model=HeartbeatRead)
async def heartbeat(assignment_id: PathId, connection: RawConnectionDep, principal: Worker):
    return await leasing.heartbeat(connection, principal=principal, assignment_id=assignment_id)


@router.post("/assignments/{assignment_id}/release", status_code=204)
async def release(assignment_id: PathId, connection: RawConnectionDep, principal: Worker):
    await leasing.release(connection, principal=principal, assignment_id=assignment_id)
    return Response(status_code=204)


@router.post("/assignments/{assignment_id}/submit", status_code=201, response_model=SubmissionRead)
async def submit(
    assignment_id: PathId,
    data: SubmissionCreate,
    connection: RawConnectionDep,
    principal: Worker,
    idempotency_key: IdempotencyKeyHeader = None,
):
    status, body = await submitting.submit(
        connection,
        principal=principal,
        assignment_id=assignment_id,
        data=data,
        idempotency_key=idempotency_key,
    )
    return JSONBytes(body, status_code=status)
