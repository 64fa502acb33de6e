"""The request transaction: committed before the response, so a failing commit is never a 2xx."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from services.contributors.models import Contributor
from services.contributors.settings import ContributorsSettings
from shared.app import ServiceParts, create_service_app
from shared.auth import issue_internal_token, service_principal
from shared.db import SessionDep

SECRET = "t" * 40
router = APIRouter()


@router.post("/api/v1/test-only/contributors", status_code=201)
async def add_without_flush(email: str, session: SessionDep) -> dict[str, str]:
    # No flush: the unique violation only surfaces when the dependency commits.
    session.add(Contributor(email=email, full_name="X", country="FR", timezone="Europe/Paris"))
    return {"status": "created"}


def _client(database_url: str) -> tuple[httpx.AsyncClient, object]:
    settings = ContributorsSettings(database_url=database_url, internal_token_secret=SECRET)
    app = create_service_app(ServiceParts(settings=settings, title="t", routers=[router]))
    token = issue_internal_token(service_principal("test"), secret=SECRET, ttl_seconds=60)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(
        transport=transport, base_url="http://app", headers={"Authorization": f"Bearer {token}"}
    ), app


async def test_a_commit_that_fails_yields_an_error_response_not_a_2xx(databases):
    client, app = _client(databases.urls["contributors"])
    async with app.router.lifespan_context(app), client:
        first = await client.post(
            "/api/v1/test-only/contributors", params={"email": "dup-commit@example.org"}
        )
        second = await client.post(
            "/api/v1/test-only/contributors", params={"email": "dup-commit@example.org"}
        )

    assert first.status_code == 201
    assert second.status_code == 500
    assert second.headers["content-type"] == "application/problem+json"
    assert "request_id" in second.json() and "Integrity" not in second.text
