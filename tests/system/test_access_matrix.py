"""Every route × every role through the gateway, generated from the routes' own access rules.

A route without a rule fails here; a role outside a route's rule must get 403; a role inside it must not
(whatever else the empty request earns it: 404, 409, 422 …) and nothing may be a server error.
"""

from __future__ import annotations

import re

import httpx
import pytest

from scripts.access_map import RouteRule, route_rules
from services.gateway.rules.forwarding import SIGNATURE_AUTHENTICATED_PREFIXES
from shared.auth import ROLES
from tests.support.api import Users
from tests.support.cluster import Cluster

RULES = route_rules()
# Logging out would end the session the rest of the matrix uses; logout has its own tests.
SKIPPED = {("POST", "/api/v1/auth/logout")}
MISSING_ID = "987654321"


def test_every_route_has_an_access_rule():
    unruled = [f"{r.method} {r.path} ({r.service})" for r in RULES if r.kind == "roles" and r.roles is None]

    assert not unruled, "routes without a role rule: " + ", ".join(unruled)


def test_every_documented_operation_has_a_rule(cluster: Cluster):
    document = httpx.get(cluster.gateway_url + "/openapi.json", timeout=60.0).json()
    documented = {
        (m.upper(), p) for p, ops in document["paths"].items() if p.startswith("/api/") for m in ops
    }

    ruled = {(r.method, r.path) for r in RULES}

    assert documented - ruled == set()


@pytest.fixture(scope="module")
def clients(users: Users) -> dict[str, httpx.Client]:
    return {role: users.create(role, vendor_id=424242, contributor_id=434343) for role in ROLES}


def _target(rule: RouteRule) -> str:
    return re.sub(r"\{[^}]+\}", MISSING_ID, rule.path)


def _call(client: httpx.Client, rule: RouteRule) -> httpx.Response:
    body = {"json": {}} if rule.method in ("POST", "PUT", "PATCH") else {}
    return client.request(rule.method, _target(rule), **body)


@pytest.mark.parametrize(
    "rule",
    [r for r in RULES if r.kind != "public" and (r.method, r.path) not in SKIPPED],
    ids=lambda r: f"{r.method} {r.path}",
)
def test_roles_outside_the_rule_get_403_and_nobody_gets_a_server_error(rule: RouteRule, clients):
    signature_authenticated = rule.path.startswith(SIGNATURE_AUTHENTICATED_PREFIXES)
    for role, client in clients.items():
        response = _call(client, rule)
        assert response.status_code < 500, (role, response.status_code, response.text[:300])
        if signature_authenticated:
            assert response.status_code in (400, 401, 404, 413, 422), (role, response.status_code)
        elif rule.allows(role):
            assert response.status_code != 403, (role, response.text[:300])
        else:
            assert response.status_code == 403, (role, response.status_code, response.text[:300])
