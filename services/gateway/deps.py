"""Who may call the gateway's routes: bearer credentials in, principals out, each authenticated request
spending its caller's rate budget; then named role checks (read by scripts/access_map.py)."""

from typing import Annotated

from fastapi import Depends, Request

from services.gateway.rules.client_address import client_address
from services.gateway.rules.forwarding import SIGNATURE_AUTHENTICATED_PREFIXES
from services.gateway.rules.rate_limits import route_class
from services.gateway.service.auth import authenticate_bearer
from shared.auth import OPERATIONS_STAFF, Principal, bearer_token
from shared.errors import Forbidden, TooManyRequests, Unauthorized

WEBHOOK_SENDER = Principal(subject="anonymous:webhook", roles=frozenset({"webhook_sender"}))


def client_ip(request: Request) -> str:
    """The client's address: the peer, or what the trusted proxies in front of us say it is (the console
    says which browser it acts for), so per-address limits count people, not the proxy."""
    return client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        request.app.state.trusted_proxies,
    )


async def enforce_rate_limit(request: Request, *, caller: str, kind: str) -> None:
    """Spend one request of `caller`'s budget for `kind`; the headers go out on every response."""
    decision = await request.app.state.limiter.check(caller=caller, route_class=kind)
    request.state.rate_limit_headers = decision.headers()
    if not decision.allowed:
        raise TooManyRequests(
            f"rate limit of {decision.limit.requests} {kind} requests per {decision.limit.window_seconds}s reached",
            headers=decision.headers(),
        )


async def authenticate_user(request: Request) -> Principal:
    """The bearer's principal; each authenticated request spends the caller's budget for its class."""
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("a bearer access token or API key is required")
    state = request.app.state
    principal, session_id = await authenticate_bearer(
        token=token, keys=state.keys, verified=state.verified_tokens, callers=state.callers, db=state.db
    )
    request.state.principal = principal
    request.state.session_id = session_id
    await enforce_rate_limit(
        request, caller=principal.subject, kind=route_class(request.method, request.scope["path"])
    )
    return principal


# Any role may call a route that only asks who the caller is (read by scripts/access_map.py).
authenticate_user.any_authenticated_user = True  # type: ignore[attr-defined]
CurrentUser = Annotated[Principal, Depends(authenticate_user)]


async def authenticate_caller(request: Request) -> Principal:
    """Users and API keys for every proxied path, except the signature-authenticated webhook receivers
    (limited per client address instead)."""
    # scope["path"] rather than request.url: building the URL object is measurable per request.
    path = request.scope["path"]
    if path.startswith(SIGNATURE_AUTHENTICATED_PREFIXES):
        kind = route_class(request.method, path)
        await enforce_rate_limit(request, caller=f"ip:{client_ip(request)}", kind=kind)
        return WEBHOOK_SENDER
    return await authenticate_user(request)


Caller = Annotated[Principal, Depends(authenticate_caller)]


async def _admin(principal: CurrentUser) -> Principal:
    if not principal.has_any("admin"):
        raise Forbidden("this operation needs the admin role")
    return principal


_admin.allowed_roles = frozenset({"admin"})  # type: ignore[attr-defined]
AdminOnly = Annotated[Principal, Depends(_admin)]


async def _report_reader(principal: CurrentUser) -> Principal:
    if not principal.has_any(*OPERATIONS_STAFF):
        raise Forbidden("reports are for operations staff")
    return principal


_report_reader.allowed_roles = frozenset(OPERATIONS_STAFF)  # type: ignore[attr-defined]
ReportReader = Annotated[Principal, Depends(_report_reader)]


async def _staff(principal: CurrentUser) -> Principal:
    if not principal.has_any(*OPERATIONS_STAFF):
        raise Forbidden("this operation is for operations staff")
    return principal


_staff.allowed_roles = frozenset(OPERATIONS_STAFF)  # type: ignore[attr-defined]
StaffOnly = Annotated[Principal, Depends(_staff)]
