"""Signed VMS events generated from their own schemas, and malformed ones: none may answer 5xx."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.vendors.rules import webhooks as signatures
from services.vendors.service.webhooks import HANDLERS
from tests.services.vendors.support import new_vendor
from tests.support.schema_strategies import from_json_schema

# The data schema of each event type, as the receiver validates (and the API document shows) it.
SCHEMAS = {
    event_type: event.model_fields["data"].annotation.model_json_schema()
    for event_type, (event, _) in HANDLERS.items()
}
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4),
    max_leaves=12,
)


def _encoded(value: object) -> bytes:
    return json.dumps(value).encode()  # not orjson: integers past 64 bits are part of the fuzz


VENDOR_REFS = ("external_vms_id", "vendor_external_id")


def _valid(event_type: str, vendor_ref: str) -> st.SearchStrategy[dict]:
    def aimed(data: dict, at_vendor: bool) -> dict:
        # Half of the valid events name the test's vendor, so they reach the handlers' writes too.
        return {**data, **{k: vendor_ref for k in VENDOR_REFS if k in data}} if at_vendor else data

    return st.builds(aimed, from_json_schema(SCHEMAS[event_type]), st.booleans()).map(
        lambda data: {"type": event_type, "data": data}
    )


def _wrong_fields(event_type: str) -> st.SearchStrategy[dict]:
    # The schema's own field names with any JSON value: the bodies that used to be stored unchecked.
    names = st.sampled_from(sorted(SCHEMAS[event_type]["properties"]))
    return st.dictionaries(names, JSON, max_size=6).map(lambda data: {"type": event_type, "data": data})


def bodies(vendor_ref: str) -> st.SearchStrategy[bytes]:
    event_types = st.sampled_from(sorted(SCHEMAS))
    return st.one_of(
        event_types.flatmap(lambda event_type: _valid(event_type, vendor_ref)).map(_encoded),
        event_types.flatmap(_wrong_fields).map(_encoded),
        st.fixed_dictionaries({"type": event_types | JSON, "data": JSON}).map(_encoded),
        JSON.map(_encoded),
        st.binary(max_size=200),
    )


@pytest.fixture(scope="module")
def bound_source(admin, users) -> dict:
    manager = users.create("vendor_manager")
    vendor = new_vendor(manager, external_vms_id=f"ext-{uuid.uuid4().hex[:10]}")
    response = admin.post(
        "/api/v1/webhooks/vms-sources",
        json={"source": f"fuzz-{uuid.uuid4().hex[:8]}", "vendor_ids": [vendor["id"]]},
    )
    assert response.status_code == 201, response.text
    return {**response.json(), "manager": manager, "vendor": vendor}


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_signed_inbound_body_answers_5xx(cluster, bound_source, data):
    body = data.draw(bodies(bound_source["vendor"]["external_vms_id"]))
    headers = signatures.signed_headers(
        bound_source["secret"], f"msg_{uuid.uuid4().hex}", int(time.time()), body
    )

    response = httpx.post(
        f"{cluster.gateway_url}/api/v1/webhooks/vms/{bound_source['source']}",
        content=body,
        headers={**headers, "content-type": "application/json"},
    )

    assert response.status_code < 500, (body, response.text)
    assert response.status_code < 300 or response.headers["content-type"] == "application/problem+json"


def test_the_vendor_still_reads_after_the_fuzzing(bound_source):
    manager, vendor = bound_source["manager"], bound_source["vendor"]

    assert manager.get(f"/api/v1/vendors/{vendor['id']}").status_code == 200
    assert manager.get("/api/v1/vendors").status_code == 200
