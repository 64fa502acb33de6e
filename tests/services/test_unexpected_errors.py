"""An error no handler knows: a 500 problem, and the server keeps the client's connection."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from services.contributors.settings import ContributorsSettings
from shared.app import ServiceParts, create_service_app

router = APIRouter()


@router.get("/test-only/broken")
async def broken() -> None:
    raise RuntimeError("a bug")


async def test_an_unexpected_error_is_a_500_problem_that_never_reaches_the_server(databases):
    settings = ContributorsSettings(
        database_url=databases.urls["contributors"], internal_token_secret="t" * 40
    )
    app = create_service_app(ServiceParts(settings=settings, title="t", routers=[], public_routers=[router]))
    # raise_app_exceptions: an exception the app lets out fails here, as it makes uvicorn drop the connection.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)

    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        response = await client.get("/test-only/broken", headers={"X-Request-ID": "req-broken-1"})

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["request_id"] == "req-broken-1"
    assert response.headers.get_list("x-request-id") == ["req-broken-1"]
