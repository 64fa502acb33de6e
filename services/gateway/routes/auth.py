"""HTTP for /api/v1/auth: password login, refresh rotation, logout, who am I."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from services.gateway import repository, service
from services.gateway.auth import CurrentUser, client_ip, enforce_rate_limit
from services.gateway.schemas import Me, RefreshRequest, TokenPair
from shared.db import ReadSessionDep, SessionDep
from shared.errors import Unauthorized

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
        session,
        email=form.username,
        password=form.password,
        ip=ip,
        keys=state.keys,
        settings=state.settings,
        limiter=state.limiter,
    )


@router.post("/refresh", response_model=TokenPair)
@public
async def refresh_token(request: Request, data: RefreshRequest, session: SessionDep):
    await enforce_rate_limit(request, caller=f"ip:{client_ip(request)}", kind="login")
    return await service.rotate_refresh_token(
        session,
        refresh_token=data.refresh_token,
        keys=request.app.state.keys,
        settings=request.app.state.settings,
        callers=request.app.state.callers,
    )


@router.post("/logout", status_code=204)
async def logout(request: Request, principal: CurrentUser, session: SessionDep) -> None:
    await service.logout(session, principal=principal, session_id=request.state.session_id)


@router.get("/me", response_model=Me)
async def who_am_i(principal: CurrentUser, session: ReadSessionDep):
    if principal.user_id is None:
        return Me(
            id=None,
            email=None,
            roles=sorted(principal.roles),
            vendor_id=principal.vendor_id,
            contributor_id=None,
            subject=principal.subject,
        )
    user = await repository.get_user(session, user_id=principal.user_id)
    if user is None:
        raise Unauthorized("user no longer exists")
    return Me(
        id=user.id,
        email=user.email,
        roles=user.roles,
        vendor_id=user.vendor_id,
        contributor_id=user.contributor_id,
        subject=principal.subject,
    )
