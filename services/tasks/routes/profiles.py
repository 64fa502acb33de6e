"""HTTP for /api/v1/contributor-profiles: what assignment currently knows about a contributor."""

from fastapi import APIRouter

from services.tasks import repository
from services.tasks.deps import OpsRead
from services.tasks.schemas.profiles import ContributorProfileRead
from shared.db import ReadSessionDep
from shared.errors import NotFound
from shared.types import PathId

router = APIRouter(prefix="/api/v1/contributor-profiles", tags=["assignment"])


@router.get("/{contributor_id}", response_model=ContributorProfileRead)
async def read_contributor_profile(contributor_id: PathId, session: ReadSessionDep, _principal: OpsRead):
    profile = await repository.get_profile(session, contributor_id=contributor_id)
    if profile is None:
        raise NotFound(f"no eligibility profile for contributor {contributor_id} yet")
    return profile
