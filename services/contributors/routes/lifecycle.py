"""HTTP for a contributor's lifecycle: transitions, their history, the onboarding checklist."""

from typing import Literal

from fastapi import APIRouter, Response

from services.contributors.deps import (
    ContributorsManage,
    ContributorsRead,
    ContributorsSelfService,
    ContributorsTransition,
    SettingsDep,
    contributor_for,
)
from services.contributors.repository.lifecycle import HISTORY_KEYSET
from services.contributors.rules.lifecycle import OnboardingStep
from services.contributors.schemas.contributors import ContributorRead
from services.contributors.schemas.lifecycle import OnboardingRead, StatusChangePage, TransitionRequest
from services.contributors.service import lifecycle as service
from shared.db import ReadSessionDep, SessionDep
from shared.etag import IfMatchHeader, check_if_match, set_etag
from shared.pagination import KeysetCursor, PageLimit

router = APIRouter(prefix="/api/v1/contributors/{contributor_id}", tags=["contributor lifecycle"])

ContributorToRead = contributor_for(ContributorsRead)
ContributorToMove = contributor_for(ContributorsTransition, write=True)
ContributorForSteps = contributor_for(ContributorsSelfService, write=True)
ContributorToReset = contributor_for(ContributorsManage, write=True)


@router.post("/transitions", response_model=ContributorRead)
async def move_contributor(
    contributor: ContributorToMove,
    data: TransitionRequest,
    session: SessionDep,
    principal: ContributorsTransition,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatchHeader = None,
):
    """Apply a lifecycle transition (409 lists the allowed ones); If-Match is checked when sent."""
    if if_match is not None:
        check_if_match(if_match, resource_id=contributor.id, version=contributor.version)
    contributor = await service.move_contributor(
        session=session, principal=principal, contributor=contributor, data=data, settings=settings
    )
    set_etag(response, contributor.id, contributor.version)
    return contributor


@router.get("/history", response_model=StatusChangePage)
async def status_history(
    contributor: ContributorToRead,
    session: ReadSessionDep,
    sort: Literal["id", "-id"] = "id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    """Every status the contributor went through: from, to, who, when, why."""
    rows = await service.status_history(
        session=session, contributor=contributor, sort=sort, cursor=cursor, limit=limit
    )
    items, next_cursor = HISTORY_KEYSET.page(rows, sort=sort, limit=limit)
    return StatusChangePage(items=items, next_cursor=next_cursor)


@router.get("/onboarding", response_model=OnboardingRead)
async def onboarding_checklist(contributor: ContributorToRead, session: ReadSessionDep):
    return await service.onboarding_of(session=session, contributor=contributor)


@router.post("/onboarding/{step}", response_model=OnboardingRead)
async def complete_onboarding_step(
    contributor: ContributorForSteps,
    step: OnboardingStep,
    session: SessionDep,
    principal: ContributorsSelfService,
):
    """Mark a step done (idempotent). A contributor completes profile_setup, platform_tour, guidelines_ack, nda."""
    return await service.complete_step(
        session=session, principal=principal, contributor=contributor, step=step
    )


@router.delete("/onboarding/{step}", response_model=OnboardingRead)
async def reset_onboarding_step(
    contributor: ContributorToReset, step: OnboardingStep, session: SessionDep, principal: ContributorsManage
):
    return await service.reset_step(session=session, principal=principal, contributor=contributor, step=step)
