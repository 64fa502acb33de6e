"""Sign-in, refresh by rotation and sign-out, against the gateway's /api/v1/auth."""

from __future__ import annotations

import contextlib
import time

from services.console.rules.sessions import ConsoleSession, Viewer
from services.console.service.gateway import Gateway, GatewayError, SignInRequired


async def sign_in(*, gateway: Gateway, email: str, password: str) -> ConsoleSession:
    """A new session (with a new CSRF token) holding the token pair and who the gateway says we are."""
    response = await gateway.call("POST", "/auth/token", data={"username": email, "password": password})
    pair = response.json()
    me = await gateway.acting_as(pair["access_token"]).get("/auth/me")
    viewer = Viewer(
        email=me.get("email") or email,
        roles=tuple(me.get("roles") or ()),
        user_id=me.get("id"),
        vendor_id=me.get("vendor_id"),
        contributor_id=me.get("contributor_id"),
    )
    return ConsoleSession(viewer=viewer).with_tokens(
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        expires_in=int(pair["expires_in"]),
        now=time.time(),
    )


async def refresh(*, gateway: Gateway, session: ConsoleSession) -> ConsoleSession:
    """Rotate the pair: the gateway answers a new one and revokes the refresh token used."""
    try:
        response = await gateway.call("POST", "/auth/refresh", json={"refresh_token": session.refresh_token})
    except GatewayError as exc:
        if exc.status in (400, 401, 403, 422):
            raise SignInRequired() from exc
        raise
    pair = response.json()
    return session.with_tokens(
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        expires_in=int(pair["expires_in"]),
        now=time.time(),
    )


async def sign_out(*, gateway: Gateway) -> None:
    """Revoke the login session at the gateway. A session the gateway already ended is just as signed out;
    if it cannot be reached the cookie still goes (the caller clears it), so the browser holds nothing."""
    with contextlib.suppress(SignInRequired, GatewayError):
        await gateway.call("POST", "/auth/logout")
