"""The last enabled admin stays: nobody disables, demotes, pseudonymises or deletes it, not even two admins
taking each other away at once. On a platform of its own, where the bootstrap admin starts alone."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.api import Users, client_for, login
from tests.support.cluster import Cluster, separate_cluster
from tests.support.sql import query


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory):
    with separate_cluster(tmp_path_factory.mktemp("last-admin")) as running:
        yield running


@pytest.fixture(scope="module")
def bootstrap(platform: Cluster) -> httpx.Client:
    client = Users(platform.gateway_url).admin
    client.user = client.get("/api/v1/auth/me").json()  # type: ignore[attr-defined]
    return client


def _new_admin(platform: Cluster, by: httpx.Client) -> httpx.Client:
    email, password = f"admin-{uuid.uuid4().hex[:8]}@example.org", f"long-enough-{uuid.uuid4().hex}"
    created = by.post("/api/v1/users", json={"email": email, "password": password, "roles": ["admin"]})
    assert created.status_code == 201, created.text
    client = client_for(platform.gateway_url, login(platform.gateway_url, email, password)["access_token"])
    client.user = created.json()  # type: ignore[attr-defined]
    return client


def _disabled(platform: Cluster, user_id: int) -> bool:
    [row] = query(platform.database_urls["gateway"], "SELECT disabled FROM users WHERE id = :i", i=user_id)
    return bool(row["disabled"])


def test_the_only_admin_cannot_take_itself_away(platform, bootstrap):
    me = f"/api/v1/users/{bootstrap.user['id']}"

    answers = [
        bootstrap.patch(me, json={"disabled": True}),
        bootstrap.patch(me, json={"roles": ["ops"]}),
        bootstrap.post(f"{me}/pseudonymise", json={}),
        bootstrap.delete(me),
    ]

    assert [a.status_code for a in answers] == [409] * 4
    assert "last enabled admin" in answers[0].json()["detail"]
    assert not _disabled(platform, bootstrap.user["id"])


def test_two_admins_disabling_each_other_at_once_leave_one_enabled(platform, bootstrap):
    survivor = bootstrap
    for _ in range(5):
        newcomer = _new_admin(platform, survivor)
        moves = [(survivor, newcomer.user["id"]), (newcomer, survivor.user["id"])]

        def disable(move: tuple[httpx.Client, int]) -> int:
            client, target = move
            return client.patch(f"/api/v1/users/{target}", json={"disabled": True}).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            codes = list(pool.map(disable, moves))

        # One goes through; the other is the last admin's 409, or a 401 when its caller was disabled first.
        left = [client for client in (survivor, newcomer) if not _disabled(platform, client.user["id"])]
        assert len(left) == 1 and sorted(codes)[0] == 200 and sorted(codes)[1] in (401, 409), codes
        survivor = left[0]
