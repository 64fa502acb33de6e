"""One service's app inside the test process, on a database of its own, called as the gateway calls it.

The app's lifespan (its background loops too) runs on one event loop in a thread of its own for as long
as the `with` lasts; the clients handed out are synchronous httpx clients whose requests go through
httpx's ASGITransport on that loop, each carrying the internal token the gateway would mint for a caller
of those roles. Peer services are unreachable (a closed port), so events stay in the
outbox, where a test can read them: what crosses processes is tested in tests/system.
"""

from __future__ import annotations

import importlib
import itertools
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI

from shared.auth import Principal, issue_internal_token, service_principal
from tests.support.databases import TEST_POOL_SIZE, Databases

# Port 9 (discard) has no listener on loopback: a peer service that is down.
UNREACHABLE = "http://127.0.0.1:9"
BASE_URL = "http://in-process"
_user_ids = itertools.count(10_000_000)


class _OnTheAppsLoop(httpx.BaseTransport):
    """A synchronous transport handing each request to the ASGI app on the portal's event loop."""

    def __init__(self, app: FastAPI, portal: BlockingPortal):
        self._asgi = httpx.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._asgi.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=body)

        return self._portal.call(send)


class InProcess:
    """The running app; `as_role` and `as_service` give clients acting as a caller."""

    def __init__(self, app: FastAPI, transport: httpx.BaseTransport, secret: str):
        self.app = app
        self._transport = transport
        self._secret = secret

    def _client_with(self, principal: Principal) -> httpx.Client:
        token = issue_internal_token(principal, secret=self._secret, ttl_seconds=3600)
        return httpx.Client(
            transport=self._transport, base_url=BASE_URL, headers={"Authorization": f"Bearer {token}"}
        )

    def as_role(self, *roles: str, vendor_id: int | None = None, contributor_id: int | None = None):
        """A client acting as a new user with these roles (and vendor or contributor links); `client.user`
        is that user as the gateway's users API would describe it."""
        user_id = next(_user_ids)
        principal = Principal(
            subject=f"user:{user_id}",
            roles=frozenset(roles),
            user_id=user_id,
            vendor_id=vendor_id,
            contributor_id=contributor_id,
        )
        client = self._client_with(principal)
        client.user = {  # type: ignore[attr-defined]
            "id": user_id,
            "roles": sorted(roles),
            "vendor_id": vendor_id,
            "contributor_id": contributor_id,
        }
        return client

    def as_service(self, name: str) -> httpx.Client:
        """A client acting as a peer service (its service token)."""
        return self._client_with(service_principal(name))

    def anonymous(self) -> httpx.Client:
        return httpx.Client(transport=self._transport, base_url=BASE_URL)


class InProcessUsers:
    """`tests.support.api.Users` for an app in process: `create(*roles, vendor_id=, contributor_id=)`."""

    def __init__(self, app: InProcess):
        self._app = app

    def create(
        self, *roles: str, vendor_id: int | None = None, contributor_id: int | None = None
    ) -> httpx.Client:
        return self._app.as_role(*roles, vendor_id=vendor_id, contributor_id=contributor_id)


@contextmanager
def on_a_fresh_database(service: str, workdir: Path, **settings: Any) -> Iterator[InProcess]:
    """`in_process` on a database of its own, made and migrated here and dropped at the end."""
    databases = Databases(workdir, services=[service])
    databases.create()
    try:
        with in_process(service, databases.urls[service], workdir, **settings) as running:
            yield running
    finally:
        databases.drop()


@contextmanager
def in_process(service: str, database_url: str, data_dir: Path, **settings: Any) -> Iterator[InProcess]:
    """Run `service`'s app with these settings (field names of its settings class) until the block ends."""
    settings_class = getattr(
        importlib.import_module(f"services.{service}.settings"), f"{service.title()}Settings"
    )
    app_module = importlib.import_module(f"services.{service}.app")
    secret = secrets.token_urlsafe(40)
    built = settings_class(
        **{
            "environment": "test",
            "data_dir": data_dir,
            "internal_token_secret": secret,
            "database_url": database_url,
            "database_pool_size": TEST_POOL_SIZE,
            "contributors_url": UNREACHABLE,
            "vendors_url": UNREACHABLE,
            "tasks_url": UNREACHABLE,
            **settings,
        }
    )
    app = app_module.create_app(built)
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(app.router.lifespan_context(app)),
    ):
        yield InProcess(app, _OnTheAppsLoop(app, portal), secret)


def service_fixtures(service: str) -> tuple[Any, Any, Any]:
    """The fixtures of a service's in-process tests, for its conftest.py: the app on a fresh database of
    its own for the session (named after the service), `users` (`users.create(role, …)` gives a client
    calling as that role, as the gateway would present the caller) and `admin`."""

    @pytest.fixture(scope="session", name=service)
    def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
        with on_a_fresh_database(service, tmp_path_factory.mktemp(f"{service}-in-process")) as running:
            yield running

    @pytest.fixture(scope="session", name="users")
    def users(request: pytest.FixtureRequest) -> InProcessUsers:
        return InProcessUsers(request.getfixturevalue(service))

    @pytest.fixture(scope="session", name="admin")
    def admin(users: InProcessUsers) -> httpx.Client:
        return users.create("admin")

    return app, users, admin
