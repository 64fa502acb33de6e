"""Every write of the console needs its session's CSRF token: checked in the app itself, in-process, before
anything reaches the gateway (none runs here)."""

from __future__ import annotations

import re

import httpx
import pytest

from services.console.app import create_app
from services.console.routes import assets, auth, desk, mine, people, projects, vendors
from services.console.settings import ConsoleSettings

ROUTE_MODULES = (auth, desk, projects, vendors, people, mine)
WRITE_PATHS = sorted(
    re.sub(r"\{[^}]+\}", "1", route.path)
    for module in ROUTE_MODULES
    for route in module.router.routes
    if route.methods - {"GET", "HEAD"}
)


# No gateway listens here, and the app's lifespan (its HTTP client) is not even started: a request that got
# past the CSRF check to the gateway would fail.
APP = create_app(ConsoleSettings(environment="test", gateway_url="http://127.0.0.1:9"))


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://console.test")


@pytest.fixture
async def client():
    async with _client() as client:
        yield client


async def _session_token(client: httpx.AsyncClient) -> str:
    page = await client.get("/login")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_the_console_has_write_routes_and_only_on_csrf_checked_routers():
    assert len(WRITE_PATHS) >= 8
    assert not [r for r in assets.router.routes if r.methods - {"GET", "HEAD"}]


@pytest.mark.parametrize("path", WRITE_PATHS)
async def test_a_write_without_the_sessions_token_is_refused(client, path):
    await _session_token(client)

    missing = await client.post(path, data={"email": "a@example.org", "password": "x"})
    forged = await client.post(path, data={"csrf_token": "guessed"}, headers={"X-CSRF-Token": "guessed"})

    assert (missing.status_code, forged.status_code) == (403, 403)
    assert "text/html" in missing.headers["content-type"]


async def test_the_sessions_token_lets_a_write_through_to_sign_in(client):
    token = await _session_token(client)

    response = await client.post("/desk/notes", data={"csrf_token": token, "team": "delivery"})

    # Past the CSRF check; without a signed-in session the console sends the viewer to sign in.
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_pages_carry_a_strict_content_security_policy(client):
    headers = (await client.get("/login")).headers

    assert headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"
    assert "httponly" in headers["set-cookie"].lower() and "samesite=strict" in headers["set-cookie"].lower()
