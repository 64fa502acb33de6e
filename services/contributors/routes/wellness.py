"""HTTP for wellness: a contributor's exposure and limits, opt-out, check-ins; global and vendor policies."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from services.contributors.deps import (
    CheckInsRead,
    ContributorsRead,
    ContributorsSelfService,
    SettingsDep,
    WellnessBoardRead,
    WellnessPolicyManage,
    WellnessPolicyRead,
    contributor_for,
)
from services.contributors.repository.wellness import CHECK_IN_KEYSET
from services.contributors.rules.wellness import NEAR_CAP_SHARE
from services.contributors.schemas.contributors import ContributorRead
from services.contributors.schemas.wellness import (
    CheckInCreate,
    CheckInPage,
    CheckInRead,
    OptOutUpdate,
    PolicyRead,
    VendorPolicyPut,
    VendorPolicyRead,
    WellnessBoardPage,
    WellnessRead,
)
from services.contributors.service import wellness as service
from services.contributors.service import wellness_board
from shared.db import ReadSessionDep, SessionDep
from shared.etag import set_etag
from shared.pagination import KeysetCursor, PageLimit
from shared.types import MAX_ID, PathId

router = APIRouter(tags=["wellness"])

ContributorToRead = contributor_for(ContributorsRead)
ContributorToEdit = contributor_for(ContributorsSelfService, write=True)
ContributorForCheckInsRead = contributor_for(CheckInsRead)
ContributorForCheckIn = contributor_for(CheckInsRead, write=True)


@router.get("/api/v1/contributors/{contributor_id}/wellness", response_model=WellnessRead)
async def contributor_wellness(
    contributor: ContributorToRead,
    session: ReadSessionDep,
    principal: ContributorsRead,
    settings: SettingsDep,
    days: Annotated[
        int, Query(ge=1, le=90, description="how many of the contributor's local days to list")
    ] = 7,
):
    """Exposure minutes by severity in the contributor's own day, caps left, and whether a break is due."""
    return await service.wellness_of(
        session=session, principal=principal, contributor=contributor, days=days, settings=settings
    )


@router.put("/api/v1/contributors/{contributor_id}/wellness/opt-out", response_model=ContributorRead)
async def set_harmful_content_opt_out(
    contributor: ContributorToEdit,
    data: OptOutUpdate,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
):
    """Opt out of (or back into) medium and high severity content; assignment learns it by event."""
    contributor = await service.set_opt_out(
        session=session, contributor=contributor, data=data, settings=settings
    )
    set_etag(response, contributor.id, contributor.version)
    return contributor


@router.post(
    "/api/v1/contributors/{contributor_id}/wellness/check-ins", status_code=201, response_model=CheckInRead
)
async def add_check_in(
    contributor: ContributorForCheckIn,
    data: CheckInCreate,
    session: SessionDep,
    principal: CheckInsRead,
    settings: SettingsDep,
):
    """Record how the contributor is doing; one asking for support tells the wellness lead and the team
    at once (email, the team's webhook) and subscribers (`wellness.support_requested`)."""
    return await service.add_check_in(
        session=session, principal=principal, contributor=contributor, data=data, settings=settings
    )


@router.get("/api/v1/contributors/{contributor_id}/wellness/check-ins", response_model=CheckInPage)
async def list_check_ins(
    contributor: ContributorForCheckInsRead,
    session: ReadSessionDep,
    sort: Literal["id", "-id"] = "-id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    rows = await service.check_ins(
        session=session, contributor=contributor, sort=sort, cursor=cursor, limit=limit
    )
    items, next_cursor = CHECK_IN_KEYSET.page(rows, sort=sort, limit=limit)
    return CheckInPage(items=items, next_cursor=next_cursor)


BoardSort = Literal[
    "cap_share", "-cap_share", "break_ends_at", "-break_ends_at", "support_requested_at",
    "-support_requested_at", "last_exposure_at", "-last_exposure_at", "full_name", "-full_name",
]  # fmt: skip


@router.get("/api/v1/wellness/board", response_model=WellnessBoardPage)
async def wellness_board_page(
    session: ReadSessionDep,
    principal: WellnessBoardRead,
    settings: SettingsDep,
    state: Annotated[
        list[Literal["near_cap", "on_break", "support_requested"]] | None,
        Query(description="any of these states (repeat for several); none given: any state"),
    ] = None,
    vendor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    near_cap_share: Annotated[
        float,
        Query(ge=0.5, le=1.0, description=f"near a cap from this share of it (default {NEAR_CAP_SHARE})"),
    ] = NEAR_CAP_SHARE,
    sort: BoardSort = "-cap_share",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    """Who needs a look now: `near_cap` (today's exposure, in the person's own day, at `near_cap_share`
    or more of a daily cap of their policy, a reached cap included), `on_break` (a break continuous
    exposure requires, until `break_ends_at`), `support_requested` (their latest check-in, within 7 days,
    asked for support; its words stay private). A vendor user sees its own vendor's people only."""
    return await wellness_board.wellness_board(
        session=session,
        principal=principal,
        settings=settings,
        states=state or (),
        vendor_id=vendor_id,
        near_cap_share=near_cap_share,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )


@router.get("/api/v1/wellness/policy", response_model=PolicyRead)
async def global_wellness_policy(_principal: WellnessPolicyRead, settings: SettingsDep):
    """The global default: daily caps per severity and the break after continuous exposure."""
    return service.global_policy(settings)


@router.get("/api/v1/wellness/vendor-policies/{vendor_id}", response_model=VendorPolicyRead)
async def read_vendor_policy(
    vendor_id: PathId, session: ReadSessionDep, principal: WellnessPolicyRead, settings: SettingsDep
):
    return await service.get_vendor_policy(
        session=session, principal=principal, vendor_id=vendor_id, settings=settings
    )


@router.put(
    "/api/v1/wellness/vendor-policies/{vendor_id}",
    response_model=VendorPolicyRead,
    responses={201: {"model": VendorPolicyRead, "description": "the vendor's first policy"}},
)
async def put_vendor_policy(
    vendor_id: PathId,
    data: VendorPolicyPut,
    session: SessionDep,
    principal: WellnessPolicyManage,
    settings: SettingsDep,
    response: Response,
):
    """Override the global policy for a vendor's contributors; changed caps are re-published to assignment."""
    read, created = await service.put_vendor_policy(
        session=session, principal=principal, vendor_id=vendor_id, data=data, settings=settings
    )
    response.status_code = 201 if created else 200
    return read


@router.delete("/api/v1/wellness/vendor-policies/{vendor_id}", status_code=204)
async def delete_vendor_policy(
    vendor_id: PathId, session: SessionDep, _principal: WellnessPolicyManage, settings: SettingsDep
) -> Response:
    """Back to the global policy (re-publishing the vendor's contributors when their caps change)."""
    await service.delete_vendor_policy(session=session, vendor_id=vendor_id, settings=settings)
    return Response(status_code=204)
