"""The running platform end to end: real processes, real databases, everything through the gateway."""

from __future__ import annotations

import time

import httpx

from shared.auth import Principal, issue_internal_token, service_principal
from tests.support.api import client_for, login, unique_email
from tests.support.cluster import ADMIN_EMAIL, ADMIN_PASSWORD, Cluster
from tests.support.sql import query
from tests.support.waiting import eventually

PROBLEM = "application/problem+json"


def new_contributor(client: httpx.Client, **overrides) -> dict:
    body = {
        "email": unique_email(),
        "full_name": "Ada Labeler",
        "country": "PH",
        "timezone": "Asia/Manila",
        "languages": [{"code": "tl", "proficiency": "native"}, {"code": "en", "proficiency": "fluent"}],
        "skills": ["ner"],
        **overrides,
    }
    response = client.post("/api/v1/contributors", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_gateway_reports_every_service_ready(cluster: Cluster):
    response = httpx.get(cluster.gateway_url + "/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": "ok",
        "contributors": "ok",
        "vendors": "ok",
        "tasks": "ok",
    }


def test_bootstrap_admin_logs_in_and_sees_itself(cluster: Cluster):
    tokens = login(cluster.gateway_url, ADMIN_EMAIL, ADMIN_PASSWORD)

    me = client_for(cluster.gateway_url, tokens["access_token"]).get("/api/v1/auth/me")

    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 900
    assert me.json()["email"] == ADMIN_EMAIL and me.json()["roles"] == ["admin"]


def test_wrong_password_is_401_problem(cluster: Cluster):
    response = httpx.post(
        cluster.gateway_url + "/api/v1/auth/token",
        data={"username": ADMIN_EMAIL, "password": "nope-nope-nope"},
    )

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_admin_creates_a_user_who_can_call_a_proxied_route(users):
    support = users.create("support")

    created = new_contributor(support)
    read = support.get(f"/api/v1/contributors/{created['id']}")

    assert read.status_code == 200
    assert read.json()["email"] == created["email"]


def test_only_admins_create_users(users):
    ops = users.create("ops")

    response = ops.post(
        "/api/v1/users",
        json={"email": unique_email(), "password": "another-fine-passphrase", "roles": ["admin"]},
    )

    assert response.status_code == 403


def test_duplicate_user_email_is_409(users, admin):
    email = unique_email()
    body = {"email": email, "password": "a-perfectly-fine-passphrase", "roles": ["ops"]}

    first, second = admin.post("/api/v1/users", json=body), admin.post("/api/v1/users", json=body)

    assert (first.status_code, second.status_code) == (201, 409)


def test_validation_error_names_the_fields(admin):
    response = admin.post("/api/v1/contributors", json={"email": "not-an-email", "country": "France"})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert {"/email", "/country", "/full_name", "/timezone"} <= pointers


def test_malformed_json_is_400(admin):
    response = admin.post(
        "/api/v1/contributors", content=b'{"email": ', headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["title"] == "Malformed request body"


def test_unknown_api_prefix_is_404_problem(admin):
    response = admin.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_query_strings_and_status_codes_pass_through(admin):
    new_contributor(admin)
    new_contributor(admin)

    first = admin.get("/api/v1/contributors", params={"limit": 1})
    bad = admin.get("/api/v1/contributors", params={"limit": 0})

    assert first.status_code == 200 and len(first.json()["items"]) == 1
    assert first.json()["next_cursor"]
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "/limit"


def test_request_id_travels_from_gateway_to_service_logs(admin, cluster: Cluster):
    request_id = "trace-" + unique_email().split("@")[0]

    response = admin.get("/api/v1/contributors", headers={"X-Request-ID": request_id})

    assert response.headers["x-request-id"] == request_id
    eventually(lambda: request_id in cluster.log_text("contributors"))


def test_service_called_directly_without_internal_token_is_401(cluster: Cluster):
    for name in ("contributors", "vendors", "tasks"):
        response = httpx.get(cluster.services[name].url + "/api/v1/contributors/1")
        assert response.status_code == 401, name
        assert response.headers["content-type"] == PROBLEM


def test_user_access_token_is_not_accepted_as_internal_token(cluster: Cluster):
    access = login(cluster.gateway_url, ADMIN_EMAIL, ADMIN_PASSWORD)["access_token"]

    response = httpx.get(
        cluster.services["contributors"].url + "/api/v1/contributors",
        headers={"Authorization": f"Bearer {access}"},
    )

    assert response.status_code == 401


def test_internal_token_is_not_accepted_by_the_gateway(cluster: Cluster):
    principal = Principal(subject="user:1", roles=frozenset({"admin"}), user_id=1)
    internal = issue_internal_token(principal, secret=cluster.internal_secret, ttl_seconds=60)

    response = httpx.get(
        cluster.gateway_url + "/api/v1/contributors", headers={"Authorization": f"Bearer {internal}"}
    )

    assert response.status_code == 401


def test_refresh_token_rotates_and_a_reused_one_revokes_the_family(cluster: Cluster):
    url = cluster.gateway_url + "/api/v1/auth/refresh"
    first = login(cluster.gateway_url, ADMIN_EMAIL, ADMIN_PASSWORD)

    second = httpx.post(url, json={"refresh_token": first["refresh_token"]})
    reused = httpx.post(url, json={"refresh_token": first["refresh_token"]})
    after_reuse = httpx.post(url, json={"refresh_token": second.json()["refresh_token"]})

    assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
    assert reused.status_code == 401
    assert after_reuse.status_code == 401


def test_a_stopped_service_gives_a_fast_503_naming_it(admin, cluster: Cluster):
    cluster.stop("vendors")
    try:
        started = time.monotonic()
        response = admin.get("/api/v1/vendors")
        elapsed = time.monotonic() - started
        ready = httpx.get(cluster.gateway_url + "/readyz")
        local_ready = httpx.get(cluster.gateway_url + "/readyz", params={"local": "true"})
    finally:
        cluster.restart("vendors")

    assert response.status_code == 503
    assert response.json()["service"] == "vendors" and "vendors" in response.json()["detail"]
    assert elapsed < 2.0
    assert ready.status_code == 503 and ready.json()["checks"]["vendors"] != "ok"
    assert local_ready.status_code == 200 and set(local_ready.json()["checks"]) == {"database"}
    assert admin.get("/api/v1/vendors").status_code == 200


def test_event_reaches_a_receiver_that_was_down_exactly_once(admin, cluster: Cluster, databases):
    cluster.stop("tasks")
    try:
        contributor = new_contributor(admin)
        pending = eventually(
            lambda: query(
                databases.urls["contributors"],
                "SELECT event_id, attempts FROM event_outbox WHERE destination = 'tasks' "
                "AND delivered_at IS NULL AND attempts > 0 AND CAST(payload AS TEXT) LIKE :needle",
                needle=f'%"contributor_id":{contributor["id"]},%',
            )
        )
    finally:
        cluster.restart("tasks")

    profile = eventually(
        lambda: (
            (r := admin.get(f"/api/v1/contributor-profiles/{contributor['id']}")).status_code == 200
            and r.json()
        )
    )
    event_id = pending[0]["event_id"]
    inbox = query(databases.urls["tasks"], "SELECT event_id FROM event_inbox WHERE event_id = :e", e=event_id)
    assert profile["status"] == "applied" and profile["languages"][0]["code"] == "tl"
    assert len(inbox) == 1


def test_redelivered_event_has_no_second_effect(cluster: Cluster, databases):
    token = issue_internal_token(
        service_principal("contributors"), secret=cluster.internal_secret, ttl_seconds=60
    )
    event = {
        "id": "4d4c6f1e-0000-4000-8000-000000000001",
        "type": "contributor.upserted",
        "source": "contributors",
        "occurred_at": "2026-01-01T00:00:00Z",
        "data": {
            "contributor_id": 987654,
            "version": 1,
            "status": "active",
            "vendor_id": None,
            "languages": [],
            "skills": [],
        },
    }
    url = cluster.services["tasks"].url + "/internal/events"
    headers = {"Authorization": f"Bearer {token}"}

    first = httpx.post(url, json=event, headers=headers)
    second = httpx.post(url, json=event, headers=headers)

    assert (first.json()["status"], second.json()["status"]) == ("processed", "duplicate")
    rows = query(
        databases.urls["tasks"], "SELECT event_id FROM event_inbox WHERE event_id = :e", e=event["id"]
    )
    assert len(rows) == 1


def test_events_endpoint_refuses_user_principals(cluster: Cluster):
    principal = Principal(subject="user:1", roles=frozenset({"admin"}), user_id=1)
    token = issue_internal_token(principal, secret=cluster.internal_secret, ttl_seconds=60)

    response = httpx.post(
        cluster.services["tasks"].url + "/internal/events",
        json={},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 403


def test_merged_openapi_lists_every_service(cluster: Cluster):
    document = httpx.get(cluster.gateway_url + "/openapi.json", timeout=60.0).json()

    assert {"/api/v1/auth/token", "/api/v1/contributors", "/api/v1/vendors"} <= set(document["paths"])
    assert "/api/v1/contributor-profiles/{contributor_id}" in document["paths"]
    assert httpx.get(cluster.gateway_url + "/docs").status_code == 200


def test_metrics_label_routes_by_template(admin, cluster: Cluster):
    created = new_contributor(admin)
    admin.get(f"/api/v1/contributors/{created['id']}")

    text = httpx.get(cluster.services["contributors"].url + "/metrics").text

    assert 'route="/api/v1/contributors/{contributor_id}"' in text
    assert f'/api/v1/contributors/{created["id"]}"' not in text
