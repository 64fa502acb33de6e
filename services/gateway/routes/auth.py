"""HTTP for /api/v1/auth: password login, refresh rotation, who am I."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from services.gateway import repository, service
from services.gateway.auth import CurrentUser
from services.gateway.schemas import Me, RefreshRequest, TokenPair
from shared.db import ReadSessionDep, SessionDep
from shared.errors import Unauthorized

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", response_model=TokenPair)
async def issue_token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep
):
    return await service.login(
        session,
        email=form.username,
        password=form.password,
        keys=request.app.state.keys,
        settings=request.app.state.settings,
    )


@router.post("/refresh", response_model=TokenPair)
async def refresh_token(request: Request, data: RefreshRequest, session: SessionDep):
    return await service.rotate_refresh_token(
        session,
        refresh_token=data.refresh_token,
        keys=request.app.state.keys,
        settings=request.app.state.settings,
    )


@router.get("/me", response_model=Me)
async def who_am_i(principal: CurrentUser, session: ReadSessionDep):
    user = await repository.get_user(session, user_id=principal.user_id)
    if user is None:
        raise Unauthorized("user no longer exists")
    return Me(
        id=user.id,
        email=user.email,
        roles=user.roles,
        vendor_id=user.vendor_id,
        contributor_id=user.contributor_id,
    )
