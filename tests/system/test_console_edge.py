"""The console as the gateway's client at the edge: sign-ins limited per browser (the console tells the
gateway whose sign-in it passes on, and the gateway believes only its trusted proxies), and what a viewer
sees when the console fails (a page with a request id) or the API is down (a 503 saying so).

A platform of its own: only the gateway (its rate limits counted in Redis, 3 sign-ins a minute per client
address) and a console process with one page that has a bug in it (tests/support/console.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.cluster import ADMIN_EMAIL, ADMIN_PASSWORD, Cluster, ServiceProcess
from tests.support.console import running_console
from tests.support.databases import Databases

LOGINS_PER_MINUTE = 3


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("console-edge")
    databases = Databases(workdir, services=["gateway"])
    databases.create()
    running = Cluster(
        workdir,
        databases.urls,
        extra_env={
            "LABELOPS_REDIS_URL": "redis://127.0.0.1:6379/0",
            "LABELOPS_GATEWAY_RATE_LIMIT_LOGIN": str(LOGINS_PER_MINUTE),
        },
    )
    try:
        running.restart("gateway")
        yield running
    finally:
        running.stop_all()
        databases.drop()


@pytest.fixture(scope="module")
def console(platform: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    with running_console(
        platform,
        Path(tmp_path_factory.mktemp("console")),
        factory="tests.support.console:create_app_with_a_bug",
    ) as process:
        yield process


def _browser(console: ServiceProcess, address: str) -> httpx.Client:
    """A browser at `address`, as the console sees it behind a proxy on loopback (uvicorn's own trust)."""
    return httpx.Client(base_url=console.url, headers={"X-Forwarded-For": address}, timeout=30.0)


def _sign_in(browser: httpx.Client) -> httpx.Response:
    page = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return browser.post(
        "/login", data={"csrf_token": token, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "next": "/"}
    )


def _inside_one_window() -> None:
    # Limits count per clock minute: start well inside one so a test's sign-ins share a window.
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)


def test_two_browsers_signing_in_through_the_console_are_limited_apart(console: ServiceProcess):
    _inside_one_window()
    first, second = _browser(console, "203.0.113.10"), _browser(console, "203.0.113.20")

    first_statuses = [_sign_in(first).status_code for _ in range(LOGINS_PER_MINUTE)]
    refused = _sign_in(first)
    second_status = _sign_in(second).status_code

    assert first_statuses == [303] * LOGINS_PER_MINUTE
    assert refused.status_code == 429 and "rate limit" in refused.text
    assert second_status == 303


def test_the_gateway_audits_the_browsers_address_behind_the_console(
    platform: Cluster, console: ServiceProcess
):
    _inside_one_window()
    assert _sign_in(_browser(console, "198.51.100.7")).status_code == 303

    admin = httpx.post(
        f"{platform.gateway_url}/api/v1/auth/token",
        data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    ).json()["access_token"]
    events = httpx.get(
        f"{platform.gateway_url}/api/v1/audit-events",
        params={"action": "login.succeeded", "limit": 500},
        headers={"Authorization": f"Bearer {admin}"},
    ).json()

    assert "198.51.100.7" in {event.get("ip") for event in events["items"]}


def test_a_direct_client_forging_x_forwarded_for_is_limited_by_its_own_address(platform: Cluster):
    # 127.0.0.2 is loopback but not a trusted proxy (the default trusts 127.0.0.1 and ::1 only).
    _inside_one_window()
    direct = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30.0)
    form = {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}

    statuses = [
        direct.post(
            f"{platform.gateway_url}/api/v1/auth/token",
            data=form,
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
        ).status_code
        for n in range(LOGINS_PER_MINUTE + 1)
    ]

    assert statuses == [200] * LOGINS_PER_MINUTE + [429]


def test_an_unexpected_error_is_a_page_with_the_request_id_logged_and_no_trace(console: ServiceProcess):
    browser = _browser(console, "203.0.113.30")

    page = browser.get("/bug")
    fragment = browser.get("/bug", headers={"HX-Request": "true"})

    request_id = page.headers["x-request-id"]
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text and request_id in page.text
    assert (
        "secret internals" not in page.text
        and "RuntimeError" not in page.text
        and "Traceback" not in page.text
    )
    assert fragment.status_code == 500 and "<html" not in fragment.text
    assert fragment.headers["x-request-id"] in fragment.text
    log = console.log_path.read_text()
    assert "the secret internals of a bug" in log and "Traceback" in log
    assert any(request_id in line and "unhandled error" in line for line in log.splitlines())


def test_a_service_down_behind_the_gateway_is_a_503_page(console: ServiceProcess):
    # Only the gateway runs: the desk's tickets live in the contributors service, which is down.
    _inside_one_window()
    browser = _browser(console, "203.0.113.40")
    assert _sign_in(browser).status_code == 303

    page = browser.get("/desk")

    assert page.status_code == 503 and "Service unavailable" in page.text


def test_a_gateway_outage_is_a_503_page_saying_the_service_is_unavailable(
    platform: Cluster, console: ServiceProcess
):
    _inside_one_window()
    browser = _browser(console, "203.0.113.50")
    assert _sign_in(browser).status_code == 303
    platform.stop("gateway")
    try:
        page = browser.get("/desk")
        fragment = browser.get("/desk", headers={"HX-Request": "true"})
        signing_in = _sign_in(_browser(console, "203.0.113.51"))
    finally:
        platform.restart("gateway")

    assert page.status_code == 503 and page.headers["retry-after"]
    assert "Service unavailable" in page.text and "unavailable at the moment" in page.text
    assert "ConnectError" not in page.text
    assert fragment.status_code == 503 and "<html" not in fragment.text and "unavailable" in fragment.text
    assert signing_in.status_code == 503 and "unavailable" in signing_in.text


def test_a_console_path_that_does_not_exist_is_a_404_page_not_problem_json(console: ServiceProcess):
    browser = _browser(console, "203.0.113.60")

    page = browser.get("/no-such-page")
    refused = browser.get("/login", params={"nxt": "/desk"})

    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text and "no such page" in page.text
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("text/html")
    assert "nxt" in refused.text
