"""The gateway's security model, attacked through the running system."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from shared import tokens
from tests.services.contributors.support import contributor_body
from tests.support.api import Users, client_for, every_item, login, unique_email
from tests.support.cluster import ADMIN_EMAIL, ADMIN_PASSWORD, Cluster
from tests.support.databases import Databases

PASSWORD = "a-long-and-unusual-passphrase"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _access_claims(**overrides) -> dict:
    now = int(time.time())
    claims = {
        "sub": "user:1",
        "uid": 1,
        "sid": "x",
        "roles": ["admin"],
        "iss": tokens.ISSUER,
        "aud": tokens.ACCESS_AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "jti": "j",
        "typ": "access",
    }
    claims.update(overrides)
    return claims


def _public_key(cluster: Cluster) -> str:
    private = serialization.load_pem_private_key(
        (cluster.workdir / "keys" / "gateway-jwt.pem").read_bytes(), None
    )
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _status_with(cluster: Cluster, token: str) -> int:
    return httpx.get(
        cluster.gateway_url + "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
    ).status_code


def _new_login(users: Users, *roles: str) -> tuple[dict, dict]:
    email = unique_email("sec")
    created = users.admin.post(
        "/api/v1/users", json={"email": email, "password": PASSWORD, "roles": list(roles)}
    )
    assert created.status_code == 201, created.text
    return created.json(), login(users.base_url, email, PASSWORD)


def test_alg_none_token_is_401(cluster: Cluster):
    token = f"{_b64(json.dumps({'alg': 'none'}).encode())}.{_b64(json.dumps(_access_claims()).encode())}."

    assert _status_with(cluster, token) == 401


def test_hs256_token_signed_with_the_gateway_public_key_is_401(cluster: Cluster):
    signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{_b64(json.dumps(_access_claims()).encode())}"
    signature = hmac.new(_public_key(cluster).encode(), signing_input.encode(), hashlib.sha256).digest()

    assert _status_with(cluster, f"{signing_input}.{_b64(signature)}") == 401


@pytest.mark.parametrize(
    "override",
    [{"exp": int(time.time()) - 1}, {"aud": "labelops-internal"}, {"iss": "someone"}, {"typ": "internal"}],
    ids=["expired", "wrong-aud", "wrong-iss", "wrong-typ"],
)
def test_tokens_with_wrong_claims_are_401_even_when_properly_signed(cluster: Cluster, override):
    private = (cluster.workdir / "keys" / "gateway-jwt.pem").read_text()
    from jose import jwt

    token = jwt.encode(_access_claims(**override), private, algorithm="RS256")

    assert _status_with(cluster, token) == 401


def test_weak_password_is_refused_naming_the_field(admin):
    response = admin.post(
        "/api/v1/users", json={"email": unique_email(), "password": "short", "roles": ["ops"]}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/password"


def test_logout_ends_the_access_and_refresh_tokens_at_once(users: Users, cluster: Cluster):
    _, tokens_ = _new_login(users, "ops")
    client = client_for(cluster.gateway_url, tokens_["access_token"])

    assert client.post("/api/v1/auth/logout").status_code == 204
    refreshed = httpx.post(
        cluster.gateway_url + "/api/v1/auth/refresh", json={"refresh_token": tokens_["refresh_token"]}
    )

    assert client.get("/api/v1/contributors").status_code == 401
    assert refreshed.status_code == 401


def test_concurrent_logouts_of_one_session_are_audited_once(users: Users, admin, cluster: Cluster):
    user, tokens_ = _new_login(users, "ops")
    client = client_for(cluster.gateway_url, tokens_["access_token"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(lambda _: client.post("/api/v1/auth/logout").status_code, range(6)))

    # Those let in before the first logout committed find the session ended and record nothing.
    assert 204 in codes and set(codes) <= {204, 401}, codes
    logouts = every_item(admin, "/api/v1/audit-events", action="logout", limit=500)
    assert [e["actor"] for e in logouts].count(f"user:{user['id']}") == 1


def test_refresh_token_reuse_kills_the_sessions_access_token_too(users: Users, cluster: Cluster):
    _, first = _new_login(users, "ops")
    url = cluster.gateway_url + "/api/v1/auth/refresh"
    second = httpx.post(url, json={"refresh_token": first["refresh_token"]}).json()
    assert _status_with(cluster, second["access_token"]) == 200

    httpx.post(url, json={"refresh_token": first["refresh_token"]})

    assert _status_with(cluster, second["access_token"]) == 401


def test_a_disabled_user_loses_access_at_the_next_request(users: Users, admin, cluster: Cluster):
    user, tokens_ = _new_login(users, "ops")
    client = client_for(cluster.gateway_url, tokens_["access_token"])
    assert client.get("/api/v1/contributors").status_code == 200

    admin.patch(f"/api/v1/users/{user['id']}", json={"disabled": True})

    assert client.get("/api/v1/contributors").status_code == 401


def test_a_role_change_applies_at_the_next_request(users: Users, admin, cluster: Cluster):
    user, tokens_ = _new_login(users, "admin")
    client = client_for(cluster.gateway_url, tokens_["access_token"])
    assert client.get("/api/v1/users").status_code == 200

    admin.patch(f"/api/v1/users/{user['id']}", json={"roles": ["analyst"]})

    assert client.get("/api/v1/users").status_code == 403


def test_failed_logins_lock_the_account_then_even_the_right_password_is_429(users: Users, cluster: Cluster):
    user, _ = _new_login(users, "support")
    url = cluster.gateway_url + "/api/v1/auth/token"
    for _ in range(5):
        assert (
            httpx.post(url, data={"username": user["email"], "password": "wrong-password-123"}).status_code
            == 401
        )

    locked = httpx.post(url, data={"username": user["email"], "password": PASSWORD})

    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0


def test_a_failed_login_with_a_long_email_is_401_and_audited_with_the_whole_email(admin, cluster: Cluster):
    email = unique_email("long-" + "x" * 200)

    response = httpx.post(
        cluster.gateway_url + "/api/v1/auth/token", data={"username": email, "password": "wrong-password-123"}
    )

    assert len(email) > 200 and response.status_code == 401
    failed = admin.get("/api/v1/audit-events", params={"action": "login.failed", "limit": 500}).json()
    assert any(e["target"] == email for e in failed["items"])


def test_a_login_with_a_username_longer_than_any_email_is_422_naming_it(cluster: Cluster):
    response = httpx.post(
        cluster.gateway_url + "/api/v1/auth/token", data={"username": "u" * 255, "password": "whatever-it-is"}
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["username"]


def test_api_key_is_shown_once_works_as_bearer_and_stops_when_revoked(admin, cluster: Cluster):
    created = admin.post(
        "/api/v1/api-keys", json={"name": "vms portal", "roles": ["integration"], "vendor_id": 4}
    )
    key = created.json()["key"]
    listed = admin.get("/api/v1/api-keys").json()["items"]

    me = client_for(cluster.gateway_url, key).get("/api/v1/auth/me")
    admin.delete(f"/api/v1/api-keys/{created.json()['id']}")
    after = client_for(cluster.gateway_url, key).get("/api/v1/auth/me")

    assert created.status_code == 201 and key.startswith("lo_")
    assert all("key" not in item for item in listed)
    assert me.status_code == 200 and me.json()["roles"] == ["integration"] and me.json()["vendor_id"] == 4
    assert after.status_code == 401


def test_an_admin_api_key_creates_a_key_and_the_audit_log_names_it(admin, cluster: Cluster):
    admin_key = admin.post("/api/v1/api-keys", json={"name": "provisioning", "roles": ["admin"]}).json()

    created = client_for(cluster.gateway_url, admin_key["key"]).post(
        "/api/v1/api-keys", json={"name": "made by a key", "roles": ["analyst"]}
    )

    assert created.status_code == 201, created.text
    events = admin.get("/api/v1/audit-events", params={"action": "api_key.created", "limit": 500}).json()
    assert any(
        e["actor"] == f"apikey:{admin_key['id']}" and e["target"] == f"apikey:{created.json()['id']}"
        for e in events["items"]
    )


def test_concurrent_revocations_of_one_api_key_revoke_it_once(admin, cluster: Cluster):
    created = admin.post("/api/v1/api-keys", json={"name": "revoked in a hurry", "roles": ["analyst"]}).json()
    url = f"/api/v1/api-keys/{created['id']}"

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: admin.delete(url), range(6)))

    assert [r.status_code for r in responses] == [200] * 6
    assert len({r.json()["revoked_at"] for r in responses}) == 1
    revoked = admin.get("/api/v1/audit-events", params={"action": "api_key.revoked", "limit": 500}).json()
    assert [e["target"] for e in revoked["items"]].count(f"apikey:{created['id']}") == 1


def test_api_key_records_when_it_was_last_used(admin, cluster: Cluster):
    created = admin.post("/api/v1/api-keys", json={"name": "script", "roles": ["analyst"]}).json()

    client_for(cluster.gateway_url, created["key"]).get("/api/v1/auth/me")

    [item] = [
        k
        for k in admin.get("/api/v1/api-keys", params={"limit": 500}).json()["items"]
        if k["id"] == created["id"]
    ]
    assert item["last_used_at"] is not None


def test_security_actions_are_in_the_audit_log_for_admins_only(users: Users, admin, cluster: Cluster):
    email = unique_email("audited")
    httpx.post(
        cluster.gateway_url + "/api/v1/auth/token", data={"username": email, "password": "nope-nope-nope"}
    )
    admin.post("/api/v1/api-keys", json={"name": "audited", "roles": ["analyst"]})

    failed = admin.get("/api/v1/audit-events", params={"action": "login.failed", "limit": 500}).json()[
        "items"
    ]
    keys = admin.get("/api/v1/audit-events", params={"action": "api_key.created", "limit": 500}).json()[
        "items"
    ]
    as_ops = users.create("ops").get("/api/v1/audit-events")

    assert any(e["target"] == email for e in failed)
    assert keys and keys[-1]["actor"] == "user:1"
    assert as_ops.status_code == 403


def test_the_audit_log_is_read_over_a_window_since_until(admin, cluster: Cluster):
    # given a failed login audited now
    email = unique_email("windowed")
    httpx.post(
        cluster.gateway_url + "/api/v1/auth/token", data={"username": email, "password": "nope-nope-nope"}
    )
    now = datetime.now(UTC)

    def targets(since: datetime, until: datetime) -> list[str]:
        window = {
            "action": "login.failed",
            "since": since.isoformat(),
            "until": until.isoformat(),
            "limit": 500,
        }
        return [e["target"] for e in admin.get("/api/v1/audit-events", params=window).json()["items"]]

    # when / then: a window holding now finds it, the hour before does not; a reversed one names since
    assert email in targets(now - timedelta(minutes=5), now + timedelta(minutes=5))
    assert email not in targets(now - timedelta(hours=1), now - timedelta(minutes=5))
    reversed_window = admin.get(
        "/api/v1/audit-events", params={"since": now.isoformat(), "until": now.isoformat()}
    )
    assert reversed_window.status_code == 422
    assert [e["field"] for e in reversed_window.json()["errors"]] == ["since"]


def test_responses_carry_security_and_rate_limit_headers(admin):
    response = admin.get("/api/v1/contributors")

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert int(response.headers["ratelimit-limit"]) > 0 and "ratelimit-remaining" in response.headers


def test_an_oversized_body_is_413_problem(admin):
    response = admin.post(
        "/api/v1/contributors",
        content=b"{" + b" " * 1_100_000 + b"}",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def _in_chunks(body: bytes, size: int = 1000) -> Iterator[bytes]:
    # A generator body makes httpx send it chunked, with no Content-Length.
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_body_is_forwarded_whole(admin):
    name = "Chunked " + "x" * 150
    body = json.dumps(contributor_body(full_name=name)).encode()

    response = admin.post(
        "/api/v1/contributors",
        content=_in_chunks(body, size=40),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["full_name"] == name


def test_a_chunked_body_over_the_limit_is_413_problem(admin):
    response = admin.post(
        "/api/v1/contributors",
        content=_in_chunks(b"{" + b" " * 1_100_000 + b"}", size=64_000),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def _two_gateways(workdir: Path, **extra_env: str) -> Iterator[Cluster]:
    """Two gateway replicas sharing Redis and their database; nothing else runs (every test here stays at
    the gateway: login, users, sessions, rate limits)."""
    dbs = Databases(workdir, services=["gateway"])
    dbs.create()
    running = Cluster(
        workdir, dbs.urls, extra_env={"LABELOPS_REDIS_URL": "redis://127.0.0.1:6379/0", **extra_env}
    )
    running.add_gateway_replica("gateway-2")
    try:
        # One after the other: the first makes the signing key and the bootstrap admin the second reads.
        running.restart("gateway")
        running.restart("gateway-2")
        yield running
    finally:
        running.stop_all()
        dbs.drop()


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Tiny read limits, counted in Redis for both replicas."""
    yield from _two_gateways(tmp_path_factory.mktemp("limited"), LABELOPS_GATEWAY_RATE_LIMIT_READ="6")


def test_rate_limits_are_shared_by_gateway_replicas_through_redis(limited: Cluster):
    # Limits count per clock minute; start well inside one so the seven requests share a window.
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    access = login(limited.gateway_url, ADMIN_EMAIL, ADMIN_PASSWORD)["access_token"]
    first = client_for(limited.gateway_url, access)
    second = client_for(limited.services["gateway-2"].url, access)

    statuses = [first.get("/api/v1/auth/me").status_code for _ in range(3)]
    statuses += [second.get("/api/v1/auth/me").status_code for _ in range(4)]
    refused = second.get("/api/v1/auth/me")

    assert statuses[:6] == [200] * 6 and statuses[6] == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0 and refused.headers["ratelimit-remaining"] == "0"


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two gateway replicas told of each other's user and session changes through Redis."""
    yield from _two_gateways(tmp_path_factory.mktemp("replicated"))


def _refused_within(
    client: httpx.Client, path: str, status: int, *, until_then: int = 200, seconds: float = 1.0
) -> float:
    """How long until `client` gets `status` for `path`, answered `until_then` before (each replica
    remembers callers until told of a change)."""
    start = time.perf_counter()
    while (answer := client.get(path).status_code) != status:
        assert answer == until_then and time.perf_counter() - start < seconds, answer
        time.sleep(0.01)
    return time.perf_counter() - start


def test_a_logout_on_one_replica_ends_the_session_on_the_other(replicated: Cluster):
    admin = Users(replicated.gateway_url).admin
    email = unique_email("replica")
    admin.post("/api/v1/users", json={"email": email, "password": PASSWORD, "roles": ["ops"]})
    access = login(replicated.gateway_url, email, PASSWORD)["access_token"]
    here = client_for(replicated.gateway_url, access)
    there = client_for(replicated.services["gateway-2"].url, access)
    assert [there.get("/api/v1/auth/me").status_code for _ in range(3)] == [200] * 3

    assert here.post("/api/v1/auth/logout").status_code == 204

    assert _refused_within(there, "/api/v1/auth/me", 401) < 1.0


def test_disabling_a_user_on_one_replica_applies_on_the_other(replicated: Cluster):
    admin = Users(replicated.gateway_url).admin
    email = unique_email("replica")
    user = admin.post("/api/v1/users", json={"email": email, "password": PASSWORD, "roles": ["admin"]}).json()
    there = client_for(
        replicated.services["gateway-2"].url, login(replicated.gateway_url, email, PASSWORD)["access_token"]
    )
    assert [there.get("/api/v1/users").status_code for _ in range(3)] == [200] * 3

    admin.patch(f"/api/v1/users/{user['id']}", json={"roles": ["analyst"]})
    assert _refused_within(there, "/api/v1/users", 403) < 1.0
    admin.patch(f"/api/v1/users/{user['id']}", json={"disabled": True})
    assert _refused_within(there, "/api/v1/users", 401, until_then=403) < 1.0
