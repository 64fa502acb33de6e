"""The console: server-rendered pages (Jinja2 + htmx) for the operations roles, a client of the gateway's
public API with the signed-in user's token. It keeps no database: its only state is the sealed cookie."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.console.deps import AreaForbidden, CsrfRefused
from services.console.routes import assets, auth, desk, mine, people, projects, vendors
from services.console.routes.pages import STATIC_DIR, render_error
from services.console.rules.sessions import SESSION_COOKIE
from services.console.service.gateway import GatewayError, GatewayUnavailable, SignInRequired
from services.console.settings import ConsoleSettings, get_settings
from shared.app import ServiceParts, create_service_app
from shared.errors import DomainError

log = logging.getLogger("labelops.console")

# No inline script or style anywhere: htmx and Chart.js are files of our origin, configured by data
# attributes; htmx's own indicator <style> is turned off (templates/base.html, htmx-config).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def security_headers(*, secure: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if secure:
        headers.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
    return headers


class ConsoleResponseHeaders:
    """Adds the security headers to every response, `Cache-Control: no-store` to pages (they carry a
    viewer's data), and the session cookie a dependency asked for (deps.keep_session): one place writes it."""

    def __init__(self, app: Any, settings: ConsoleSettings | None = None):
        self.app = app
        self.settings = settings or get_settings()
        self.headers = security_headers(secure=self.settings.cookies_secure)

    def cookie(self, value: str | None) -> bytes:
        attributes = "Path=/; HttpOnly; SameSite=Strict"
        if self.settings.cookies_secure:
            attributes += "; Secure"
        if value is None:
            return f"{SESSION_COOKIE}=; {attributes}; Max-Age=0".encode()
        return f"{SESSION_COOKIE}={value}; {attributes}; Max-Age={self.settings.session_max_age_seconds}".encode()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        static = scope["path"].startswith(("/static/", "/vendor/"))

        async def send_wrapper(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *self.headers]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                if "console_cookie" in state:
                    headers.append((b"set-cookie", self.cookie(state["console_cookie"])))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


async def _gateway_ready(app: FastAPI) -> str | None:
    settings: ConsoleSettings = app.state.settings
    try:
        response = await app.state.http.get(f"{settings.gateway_url.rstrip('/')}/healthz", timeout=3.0)
    except Exception as exc:  # any transport error means "not ready", which is what the probe asks
        return f"gateway unavailable: {type(exc).__name__}"
    return None if response.status_code == 200 else f"gateway answered {response.status_code}"


async def _sign_in_again(request: Request, exc: SignInRequired) -> Response:
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": "/login"})
    target = request.url.path if request.method == "GET" else "/"
    return RedirectResponse(f"/login?next={target}", status_code=303)


async def _csrf_refused(request: Request, exc: CsrfRefused) -> HTMLResponse:
    return render_error(
        request, 403, "This form has expired or did not come from the console. Reload and retry."
    )


async def _area_forbidden(request: Request, exc: AreaForbidden) -> HTMLResponse:
    return render_error(request, 403, "Your roles do not open this part of the console.")


async def _form_refused(request: Request, exc: RequestValidationError) -> HTMLResponse:
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "detail": e.get("msg", "")}
        for e in exc.errors()
    ]
    return render_error(request, 422, "Some fields were not accepted.", errors=errors)


async def _gateway_error(request: Request, exc: GatewayError) -> HTMLResponse:
    if isinstance(exc, GatewayUnavailable):
        # The API is down or overloaded, not broken: the viewer is told to come back, not to report it.
        log.warning(
            "gateway unavailable on %s %s: %s", request.method, request.url.path, exc.__cause__ or exc
        )
        return render_error(request, 503, exc.detail, headers={"Retry-After": "30"})
    # Any other 5xx of the API is the console's upstream failing: a 502 here, with the API's words.
    return render_error(request, exc.status if exc.status < 500 else 502, exc.detail, errors=exc.errors)


async def _http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
    # A console path that does not exist (or a method it does not take) is a page too, not problem+json.
    detail = "There is no such page in the console." if exc.status_code == 404 else str(exc.detail)
    return render_error(request, exc.status_code, detail, headers=exc.headers)


async def _refused(request: Request, exc: DomainError) -> HTMLResponse:
    # The console's own refusals from the shared kit (an unknown query parameter): a page naming the field.
    return render_error(request, exc.status, exc.detail, errors=exc.errors, headers=exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> HTMLResponse:
    """A bug of the console: logged with its traceback under the request id, which the page shows to quote;
    the page itself says nothing of what failed."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return render_error(
        request, 500, "Something went wrong on our side. Quote the request id below when you report it."
    )


def create_app(settings: ConsoleSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    class Headers(ConsoleResponseHeaders):
        def __init__(self, app: Any):
            super().__init__(app, settings)

    app = create_service_app(
        ServiceParts(
            settings=settings,
            title="LabelOps console",
            routers=[],
            public_routers=[
                assets.router,
                auth.router,
                desk.router,
                projects.router,
                vendors.router,
                people.router,
                mine.router,
            ],
            readiness_checks={"gateway": _gateway_ready},
            docs=False,
            inner_middleware=[Headers],
            database=False,
        )
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(SignInRequired, _sign_in_again)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_exception_handler(AreaForbidden, _area_forbidden)
    app.add_exception_handler(GatewayError, _gateway_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DomainError, _refused)
    # Replaces the problem+json 500 of the other services (shared/errors.py asks the app for its own).
    app.add_exception_handler(Exception, _unexpected_error)
    # A form the console cannot read is answered as a page (or an htmx line), not as problem+json.
    app.add_exception_handler(RequestValidationError, _form_refused)
    return app
