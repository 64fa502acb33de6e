"""Gateway-side authentication: user access tokens in, principals out; named role dependencies."""

from typing import Annotated

from fastapi import Depends, Request

from services.gateway import service
from services.gateway.route_table import SIGNATURE_AUTHENTICATED_PREFIXES
from shared.auth import Principal, bearer_token
from shared.db import ReadSessionDep
from shared.errors import Forbidden, Unauthorized


async def authenticate_user(request: Request, session: ReadSessionDep) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("a bearer access token is required")
    principal = await service.authenticate_access_token(session, token=token, keys=request.app.state.keys)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(authenticate_user)]

WEBHOOK_SENDER = Principal(subject="anonymous:webhook", roles=frozenset({"webhook_sender"}))


async def authenticate_caller(request: Request, session: ReadSessionDep) -> Principal:
    """Users for every proxied path, except the signature-authenticated webhook receivers."""
    if request.url.path.startswith(SIGNATURE_AUTHENTICATED_PREFIXES):
        return WEBHOOK_SENDER
    return await authenticate_user(request, session)


Caller = Annotated[Principal, Depends(authenticate_caller)]


async def _admin(principal: CurrentUser) -> Principal:
    if not principal.has_any("admin"):
        raise Forbidden("this operation needs the admin role")
    return principal


AdminOnly = Annotated[Principal, Depends(_admin)]
