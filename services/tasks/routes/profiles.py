"""HTTP for /api/v1/contributor-profiles: what assignment currently knows about a contributor; and for
/internal/personal-data, this service's part of a DSAR export."""

from fastapi import APIRouter

from services.tasks.deps import OpsRead
from services.tasks.schemas.profiles import ContributorProfileRead
from services.tasks.service import profiles as service
from shared.db import ReadSessionDep
from shared.privacy import personal_data_router
from shared.types import PathId

router = APIRouter(prefix="/api/v1/contributor-profiles", tags=["assignment"])


@router.get("/{contributor_id}", response_model=ContributorProfileRead)
async def read_contributor_profile(contributor_id: PathId, session: ReadSessionDep, principal: OpsRead):
    return await service.get_profile(session=session, principal=principal, contributor_id=contributor_id)


personal_data = personal_data_router(service.personal_data)
