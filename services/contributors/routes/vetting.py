"""HTTP for a contributor's vetting for harmful content: the current vetting, vet, revoke, history."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from services.contributors.deps import SettingsDep, VettingManage, VettingRead, contributor_for
from services.contributors.repository.vetting import VETTING_HISTORY_KEYSET
from services.contributors.schemas.vetting import VettingChangePage, VettingCreate, VettingStatus
from services.contributors.service import vetting as service
from shared.db import ReadSessionDep, SessionDep
from shared.pagination import KeysetCursor, PageLimit

router = APIRouter(prefix="/api/v1/contributors/{contributor_id}/vetting", tags=["vetting"])

ContributorToRead = contributor_for(VettingRead)
ContributorToVet = contributor_for(VettingManage, write=True)
RevokeReason = Annotated[str | None, Query(min_length=1, max_length=1000, description="why it ends")]


@router.get("", response_model=VettingStatus)
async def current_vetting(contributor: ContributorToRead):
    """Whether the contributor counts as vetted now (vetted and not expired), by whom, until when."""
    return service.vetting_of(contributor)


@router.post("", response_model=VettingStatus)
async def vet_contributor(
    contributor: ContributorToVet,
    data: VettingCreate,
    session: SessionDep,
    principal: VettingManage,
    settings: SettingsDep,
):
    """Vet (or re-vet) from now until `expires_at`, or until revoked; published to tasks with the expiry."""
    return await service.vet_contributor(
        session=session, principal=principal, contributor=contributor, data=data, settings=settings
    )


@router.delete("", status_code=204)
async def revoke_vetting(
    contributor: ContributorToVet,
    session: SessionDep,
    principal: VettingManage,
    settings: SettingsDep,
    reason: RevokeReason = None,
) -> Response:
    await service.revoke_vetting(
        session=session, principal=principal, contributor=contributor, reason=reason, settings=settings
    )
    return Response(status_code=204)


@router.get("/history", response_model=VettingChangePage)
async def vetting_history(
    contributor: ContributorToRead,
    session: ReadSessionDep,
    sort: Literal["id", "-id"] = "id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    """Every vetting and revocation: who, when, until when, why."""
    rows = await service.vetting_history(
        session=session, contributor=contributor, sort=sort, cursor=cursor, limit=limit
    )
    items, next_cursor = VETTING_HISTORY_KEYSET.page(rows, sort=sort, limit=limit)
    return VettingChangePage(items=items, next_cursor=next_cursor)
