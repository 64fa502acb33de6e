"""Clients of the running gateway, logged in as the bootstrap admin or as users made for a test."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx

from tests.support.cluster import ADMIN_EMAIL, ADMIN_PASSWORD

_counter = itertools.count(1)


def login(base_url: str, email: str, password: str) -> dict:
    response = httpx.post(f"{base_url}/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def client_for(base_url: str, access_token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {access_token}"}, timeout=30.0)


class Users:
    """Creates users through the admin API and hands back clients acting as them."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.admin = client_for(base_url, login(base_url, ADMIN_EMAIL, ADMIN_PASSWORD)["access_token"])

    def create(
        self, *roles: str, vendor_id: int | None = None, contributor_id: int | None = None
    ) -> httpx.Client:
        email = f"user{next(_counter)}-{uuid.uuid4().hex[:8]}@example.org"
        password = "long-enough-password-" + uuid.uuid4().hex[:6]
        response = self.admin.post(
            "/api/v1/users",
            json={
                "email": email,
                "password": password,
                "roles": list(roles),
                "vendor_id": vendor_id,
                "contributor_id": contributor_id,
            },
        )
        assert response.status_code == 201, response.text
        client = client_for(self.base_url, login(self.base_url, email, password)["access_token"])
        client.user = response.json()  # type: ignore[attr-defined]
        return client


def unique_email(prefix: str = "person") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


def every_item(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """All the items of a paged list (`{items, next_cursor}`), following the cursor to the last page."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
