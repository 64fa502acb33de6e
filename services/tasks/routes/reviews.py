"""HTTP for /api/v1/reviews (reviewers lease pending submissions through `next` on a review queue)."""

from fastapi import APIRouter

from services.tasks.deps import Worker
from services.tasks.schemas.reviews import ReviewCreate, ReviewRead
from services.tasks.service import reviews
from shared.db import SessionDep

router = APIRouter(prefix="/api/v1", tags=["assignments"])


@router.post("/reviews", status_code=201, response_model=ReviewRead)
async def create_review(data: ReviewCreate, session: SessionDep, principal: Worker):
    return await reviews.record_review(session, principal=principal, data=data)
