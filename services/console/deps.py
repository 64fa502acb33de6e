"""What a console route receives: the session from its cookie, the signed-in viewer with a gateway client
acting as them (the access token refreshed by rotation when it is about to expire), CSRF checked on every
write, and named dependencies for who may open an area."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from services.console.rules.display import viewer_zone
from services.console.rules.menu import AREAS
from services.console.rules.sessions import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    TIMEZONE_COOKIE,
    ConsoleSession,
    Viewer,
    cookie_cipher,
    csrf_matches,
    seal,
    unseal,
)
from services.console.service import auth as auth_service
from services.console.service.gateway import Gateway, SignInRequired
from services.console.settings import ConsoleSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(Exception):
    """A write came without the session's CSRF token."""


class AreaForbidden(Exception):
    """The viewer's roles do not open this area of the console."""


def settings_of(request: Request) -> ConsoleSettings:
    return request.app.state.settings


SettingsDep = Annotated[ConsoleSettings, Depends(settings_of)]


def keep_session(request: Request, session: ConsoleSession | None) -> None:
    """Have the response carry the (new) session cookie, or clear it when None; see app.SessionCookies."""
    settings: ConsoleSettings = request.app.state.settings
    request.state.console_session = session
    request.state.console_cookie = (
        None if session is None else seal(session, cookie_cipher(settings.cookie_secret.get_secret_value()))
    )


def browser_session(request: Request, settings: SettingsDep) -> ConsoleSession:
    """The session sealed in the cookie; a new anonymous one (sent back) when there is none or it is bad."""
    cached = getattr(request.state, "console_session", None)
    if cached is not None:
        return cached
    cipher = cookie_cipher(settings.cookie_secret.get_secret_value())
    session = unseal(
        request.cookies.get(SESSION_COOKIE), cipher, max_age_seconds=settings.session_max_age_seconds
    )
    if session is None:
        session = ConsoleSession()
        keep_session(request, session)
    request.state.console_session = session
    return session


BrowserSession = Annotated[ConsoleSession, Depends(browser_session)]


def forwarded_for(request: Request) -> str | None:
    """X-Forwarded-For as a proxy passes it on: what reached us, then the address that connected to us.
    The gateway believes only the entries its trusted proxies added (the right-most untrusted one is the
    client), so a browser writing its own header changes nothing but the part nobody believes."""
    hops = [*request.headers.getlist("x-forwarded-for"), *([request.client.host] if request.client else [])]
    return ", ".join(hop.strip() for hop in hops if hop.strip()) or None


def gateway_as(request: Request, token: str | None) -> Gateway:
    settings: ConsoleSettings = request.app.state.settings
    return Gateway(
        http=request.app.state.http,
        base_url=settings.gateway_url.rstrip("/"),
        token=token,
        forwarded_for=forwarded_for(request),
    )


@dataclass
class Console:
    """The signed-in viewer, a gateway client acting as them, their zone and their session's CSRF token."""

    viewer: Viewer
    gateway: Gateway
    zone: ZoneInfo
    csrf: str


async def signed_in(request: Request, session: BrowserSession, settings: SettingsDep) -> Console:
    if not session.signed_in:
        raise SignInRequired()
    if session.needs_refresh(now=time.time(), margin_seconds=settings.refresh_margin_seconds):
        try:
            session = await auth_service.refresh(gateway=gateway_as(request, None), session=session)
        except SignInRequired:
            keep_session(request, None)
            raise
        keep_session(request, session)
    assert session.viewer is not None and session.access_token is not None
    return Console(
        viewer=session.viewer,
        gateway=gateway_as(request, session.access_token),
        zone=viewer_zone(
            unquote(request.cookies.get(TIMEZONE_COOKIE, "")), default=settings.default_timezone
        ),
        csrf=session.csrf,
    )


SignedIn = Annotated[Console, Depends(signed_in)]


async def require_csrf(request: Request, session: BrowserSession) -> None:
    """Every write carries the session's token, in the form (`csrf_token`) or, from htmx, a header.
    Every console router has it, so no write route can forget it (tests/services/console holds that)."""
    if request.method in SAFE_METHODS:
        return
    presented = request.headers.get(CSRF_HEADER)
    if presented is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        presented = (await request.form()).get(CSRF_FIELD)
    if not csrf_matches(session, presented if isinstance(presented, str) else None):
        raise CsrfRefused()


def area(*roles: str) -> Callable[..., Console]:
    """A dependency letting in viewers with one of `roles` (what the menu shows them)."""

    def check(console: SignedIn) -> Console:
        if not console.viewer.has_any(*roles):
            raise AreaForbidden()
        return console

    return check


def _area_roles(key: str) -> tuple[str, ...]:
    return next(roles for name, _, _, roles in AREAS if name == key)


DeskArea = Annotated[Console, Depends(area(*_area_roles("desk")))]
ProjectsArea = Annotated[Console, Depends(area(*_area_roles("projects")))]
VendorsArea = Annotated[Console, Depends(area(*_area_roles("vendors")))]
PeopleArea = Annotated[Console, Depends(area(*_area_roles("people")))]
OwnArea = Annotated[Console, Depends(area(*_area_roles("mine")))]
# The recruitment funnel is read by the roles that run campaigns (the API's campaign readers).
RecruitmentArea = Annotated[Console, Depends(area("admin", "ops", "support", "analyst"))]
