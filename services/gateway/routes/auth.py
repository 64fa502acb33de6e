"""HTTP for /api/v1/auth: password login, refresh rotation, logout, who am I."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from services.gateway.deps import CurrentUser, client_ip, enforce_rate_limit
from services.gateway.schemas.auth import Me, RefreshRequest, TokenPair
from services.gateway.service import auth as service
from shared.db import ReadSessionDep, SessionDep

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def public(endpoint):
    """Marks a route its callers reach without a bearer token (they present a password or refresh token)."""
    endpoint.public_route = True
    return endpoint


@router.post("/token", response_model=TokenPair)
@public
async def issue_token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep
):
    ip = client_ip(request)
    await enforce_rate_limit(request, caller=f"ip:{ip}", kind="login")
    state = request.app.state
    return await service.login(
        session=session,
        email=form.username,
        password=form.password,
        ip=ip,
        keys=state.keys,
        settings=state.settings,
        limiter=state.limiter,
        passwords=state.passwords,
    )


@router.post("/refresh", response_model=TokenPair)
@public
async def refresh_token(request: Request, data: RefreshRequest, session: SessionDep):
    await enforce_rate_limit(request, caller=f"ip:{client_ip(request)}", kind="login")
    return await service.rotate_refresh_token(
        session=session,
        refresh_token=data.refresh_token,
        keys=request.app.state.keys,
        settings=request.app.state.settings,
        callers=request.app.state.callers,
    )


@router.post("/logout", status_code=204)
async def logout(request: Request, principal: CurrentUser, session: SessionDep) -> None:
    await service.logout(session=session, principal=principal, session_id=request.state.session_id)


@router.get("/me", response_model=Me)
async def who_am_i(principal: CurrentUser, session: ReadSessionDep):
    return await service.who_am_i(session=session, principal=principal)
