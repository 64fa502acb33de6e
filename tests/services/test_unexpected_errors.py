"""An error no handler knows: a 500 problem, and the server keeps the client's connection."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request

from services.contributors.settings import ContributorsSettings
from shared.app import ServiceParts, create_service_app
from shared.errors import handled

router = APIRouter()


@router.get("/test-only/broken")
async def broken() -> None:
    raise RuntimeError("a bug")


@router.get("/test-only/broken-query")
async def broken_query() -> None:
    raise DBAPIError("SELECT broken", {}, RuntimeError("syntax error at or near broken"))


class AnsweringAhead:
    """A pure ASGI layer answering some paths itself, as the gateway's forwarding and the tasks hot path do."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/test-only/ahead":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            raise RuntimeError("a bug ahead of routing")
        except Exception as exc:
            response = await handled(request, exc)
        await response(scope, receive, send)


@pytest.mark.parametrize("path", ["/test-only/broken", "/test-only/broken-query", "/test-only/ahead"])
async def test_an_unexpected_error_is_a_500_problem_that_never_reaches_the_server(databases, path):
    settings = ContributorsSettings(
        database_url=databases.urls["contributors"], internal_token_secret="t" * 40
    )
    app = create_service_app(
        ServiceParts(
            settings=settings,
            title="t",
            routers=[],
            public_routers=[router],
            inner_middleware=[AnsweringAhead],
        )
    )
    # raise_app_exceptions: an exception the app lets out fails here, as it makes uvicorn drop the connection.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)

    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        response = await client.get(path, headers={"X-Request-ID": "req-broken-1"})

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["request_id"] == "req-broken-1"
    assert response.headers.get_list("x-request-id") == ["req-broken-1"]
