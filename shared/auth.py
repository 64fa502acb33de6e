"""Who is calling: the principal carried by the gateway's internal token, and named role checks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from shared import tokens
from shared.errors import Forbidden, Unauthorized, problem_response

ROLES = ("admin", "ops", "vendor_manager", "support", "analyst", "vendor", "contributor", "integration")
# The people who run operations, as opposed to the tenants (vendors, contributors) and integrations.
OPERATIONS_STAFF = ("admin", "ops", "vendor_manager", "support", "analyst")
SERVICE_ROLE = "service"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller as every service sees it; carries ids, never personal data."""

    subject: str
    roles: frozenset[str]
    user_id: int | None = None
    vendor_id: int | None = None
    contributor_id: int | None = None
    # When the token that carried this principal expires (0 for principals built in process).
    expires_at: float = field(default=0.0, compare=False)

    def has_any(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_service(self) -> bool:
        return SERVICE_ROLE in self.roles

    def to_claims(self) -> dict[str, Any]:
        return {
            "roles": sorted(self.roles),
            "uid": self.user_id,
            "vendor_id": self.vendor_id,
            "contributor_id": self.contributor_id,
        }

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        roles = claims.get("roles")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise tokens.TokenError("token carries no roles")
        return cls(
            subject=str(claims["sub"]),
            roles=frozenset(roles),
            user_id=claims.get("uid"),
            vendor_id=claims.get("vendor_id"),
            contributor_id=claims.get("contributor_id"),
            expires_at=float(claims.get("exp", 0)),
        )


def service_principal(name: str) -> Principal:
    return Principal(subject=f"service:{name}", roles=frozenset({SERVICE_ROLE}))


def issue_internal_token(principal: Principal, *, secret: str, ttl_seconds: int) -> str:
    return tokens.encode(
        tokens.INTERNAL,
        key=secret,
        subject=principal.subject,
        ttl_seconds=ttl_seconds,
        claims=principal.to_claims(),
    )


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def principal_from_internal_token(token: str | None, *, secret: str) -> Principal:
    """Accept only the gateway's (or a peer service's) internal token; there is no other way in."""
    if token is None:
        raise Unauthorized("an internal token is required: call LabelOps through the gateway")
    try:
        return Principal.from_claims(tokens.decode(tokens.INTERNAL, token, key=secret))
    except tokens.TokenError as exc:
        raise Unauthorized(str(exc)) from exc


class InternalAuthMiddleware:
    """Guards every /api and /internal path before routing, so even an unknown path needs a token (the
    gateway, whose /api is its public API, guards only /internal)."""

    PROTECTED = ("/api/", "/internal/")

    def __init__(self, app: Any, secret: str, prefixes: tuple[str, ...] = PROTECTED):
        self.app = app
        self.secret = secret
        self.prefixes = prefixes
        # The gateway reuses a caller's token for a minute; verifying it once per process is enough.
        self._verified: dict[str, tuple[Principal, float]] = {}

    def _principal(self, token: str | None) -> Principal:
        now = time.time()
        cached = self._verified.get(token) if token else None
        if cached is not None and cached[1] > now:
            return cached[0]
        principal = principal_from_internal_token(token, secret=self.secret)
        if len(self._verified) > 10_000:
            self._verified = {t: v for t, v in self._verified.items() if v[1] > now}
        self._verified[token] = (principal, principal.expires_at)
        return principal

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefixes):
            request = Request(scope)
            try:
                principal = self._principal(bearer_token(request))
            except Unauthorized as exc:
                response = problem_response(
                    status=exc.status,
                    title=exc.title,
                    detail=exc.detail,
                    type_slug=exc.type_slug,
                    headers=exc.headers,
                    instance=scope["path"],
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


async def authenticate_internal(request: Request) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None:
        # Only reachable if a route outside the protected prefixes asks for a principal.
        raise Unauthorized("an internal token is required: call LabelOps through the gateway")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate_internal)]


def require(*roles: str) -> Callable[..., Any]:
    """Dependency factory: the caller must hold one of `roles`, else 403 naming them."""

    # Reads the principal itself rather than depending on CurrentPrincipal: each level of
    # dependencies costs every request.
    async def check(request: Request) -> Principal:
        principal = await authenticate_internal(request)
        if not principal.has_any(*roles):
            raise Forbidden(f"this operation needs one of the roles: {', '.join(roles)}")
        return principal

    check.__name__ = "require_" + "_or_".join(roles)
    # Read by the access map (README table, route × role matrix test): the rule is data, not prose.
    check.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
    return check


ServiceCaller = Annotated[Principal, Depends(require(SERVICE_ROLE))]
