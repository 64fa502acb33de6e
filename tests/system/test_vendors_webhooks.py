"""VMS webhooks in (Standard Webhooks signatures) and subscriptions out (signed deliveries, retries)."""

from __future__ import annotations

import time
import uuid

import httpx
import orjson
import pytest

from services.vendors.rules import webhooks as signatures
from shared.auth import issue_internal_token, service_principal
from tests.services.vendors.support import Receiver, new_contract, new_vendor, unique_name
from tests.support.api import every_item, unique_email
from tests.support.sql import query
from tests.support.waiting import eventually

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def manager(users):
    return users.create("vendor_manager")


def register_source(admin, *vendors: dict) -> dict:
    name = f"vms-{uuid.uuid4().hex[:8]}"
    response = admin.post(
        "/api/v1/webhooks/vms-sources", json={"source": name, "vendor_ids": [v["id"] for v in vendors]}
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def vendor(manager) -> dict:
    return vendor_with_vms_id(manager)


@pytest.fixture
def source(admin, vendor) -> dict:
    """A VMS source bound to the test's `vendor`."""
    return register_source(admin, vendor)


def send(cluster, source: dict, message: dict, *, secret: str | None = None, msg_id: str | None = None,
         timestamp: int | None = None, headers: dict | None = None, body: bytes | None = None) -> httpx.Response:  # fmt: skip
    raw = body if body is not None else orjson.dumps(message)
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    signed = signatures.signed_headers(secret or source["secret"], msg_id, timestamp or int(time.time()), raw)
    return httpx.post(
        f"{cluster.gateway_url}/api/v1/webhooks/vms/{source['source']}",
        content=raw,
        headers={**signed, "content-type": "application/json", **(headers or {})},
    )


def vendor_with_vms_id(manager) -> dict:
    return new_vendor(manager, external_vms_id=f"ext-{uuid.uuid4().hex[:10]}")


def new_invoice(manager, vendor: dict, number: str) -> dict:
    response = manager.post(
        "/api/v1/invoices",
        json={"vendor_id": vendor["id"], "number": number, "currency": "USD", "period_start": "2025-01-01",
              "period_end": "2025-01-31",
              "lines": [{"task_type": "ner", "language": "en", "unit": "task", "units_claimed": "10", "unit_price": "1"}]},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


def updated(vendor: dict, **data) -> dict:
    return {"type": "vendor.updated", "data": {"external_vms_id": vendor["external_vms_id"], **data}}


# --- inbound: signature vectors ------------------------------------------------------------------


def test_source_secret_is_shown_once_at_registration(admin, source):
    listed = every_item(admin, "/api/v1/webhooks/vms-sources")

    assert source["secret"].startswith("whsec_")
    assert all("secret" not in s for s in listed) and source["source"] in [s["source"] for s in listed]


def test_sources_are_listed_a_page_at_a_time(admin, manager):
    registered = [register_source(admin, vendor_with_vms_id(manager)) for _ in range(2)]

    first = admin.get("/api/v1/webhooks/vms-sources", params={"limit": 1}).json()
    listed = every_item(admin, "/api/v1/webhooks/vms-sources", limit=1)

    assert len(first["items"]) == 1 and first["next_cursor"] is not None
    assert {s["source"] for s in registered} <= {s["source"] for s in listed}


def test_validly_signed_vendor_update_is_applied(cluster, manager, source, vendor):
    response = send(cluster, source, updated(vendor, legal_name="Signed Ltd"))

    assert response.status_code == 200 and response.json()["status"] == "processed"
    assert manager.get(f"/api/v1/vendors/{vendor['id']}").json()["legal_name"] == "Signed Ltd"


def test_tampered_body_is_401_and_has_no_effect(cluster, manager, source, vendor):
    raw = orjson.dumps(updated(vendor, legal_name="Original"))
    msg_id, ts = "msg_tamper", int(time.time())
    signed = signatures.signed_headers(source["secret"], msg_id, ts, raw)

    response = httpx.post(
        f"{cluster.gateway_url}/api/v1/webhooks/vms/{source['source']}",
        content=raw.replace(b"Original", b"Tampered"),
        headers=signed,
    )

    assert response.status_code == 401 and response.headers["content-type"] == PROBLEM
    assert manager.get(f"/api/v1/vendors/{vendor['id']}").json()["legal_name"] is None


def test_wrong_secret_is_401(cluster, manager, source, vendor):
    response = send(cluster, source, updated(vendor, legal_name="X"), secret=signatures.generate_secret())

    assert response.status_code == 401


def test_timestamp_older_than_five_minutes_is_401(cluster, manager, source, vendor):
    response = send(cluster, source, updated(vendor, legal_name="X"), timestamp=int(time.time()) - 301)

    assert response.status_code == 401 and "too old" in response.json()["detail"]


def test_missing_signature_header_is_401(cluster, manager, source, vendor):
    response = httpx.post(
        f"{cluster.gateway_url}/api/v1/webhooks/vms/{source['source']}",
        content=orjson.dumps(updated(vendor, legal_name="X")),
        headers={"webhook-id": "msg_1", "webhook-timestamp": str(int(time.time()))},
    )

    assert response.status_code == 401 and response.headers["content-type"] == PROBLEM


def test_unknown_source_is_401(cluster, manager, source, vendor):
    response = send(cluster, {**source, "source": "no-such-source"}, updated(vendor, legal_name="X"))

    assert response.status_code == 401


def test_duplicate_webhook_id_is_acknowledged_without_a_second_effect(cluster, manager, source, vendor):
    msg_id = f"msg_{uuid.uuid4().hex}"
    first = send(cluster, source, updated(vendor, skills=["ner"]), msg_id=msg_id)
    version_after_first = manager.get(f"/api/v1/vendors/{vendor['id']}").json()["version"]

    second = send(cluster, source, updated(vendor, skills=["ner"]), msg_id=msg_id)

    assert first.json()["status"] == "processed"
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    assert manager.get(f"/api/v1/vendors/{vendor['id']}").json()["version"] == version_after_first


def test_ids_that_share_their_first_200_characters_are_two_messages(cluster, manager, source, vendor):
    prefix = "msg_" + "x" * 196

    first = send(cluster, source, updated(vendor, skills=["ner"]), msg_id=prefix + "-first")
    second = send(cluster, source, updated(vendor, skills=["ocr"]), msg_id=prefix + "-second")

    assert [first.json()["status"], second.json()["status"]] == ["processed", "processed"], second.text
    assert manager.get(f"/api/v1/vendors/{vendor['id']}").json()["skills"] == ["ocr"]


def test_body_over_the_size_cap_is_413(cluster, source):
    response = send(cluster, source, {}, body=b'{"type":"x","data":{"pad":"' + b"a" * (256 * 1024) + b'"}}')

    assert response.status_code == 413


def test_signed_but_malformed_body_is_400(cluster, source):
    response = send(cluster, source, {}, body=b"not json")

    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM


# --- inbound: every body is validated before it reaches a column --------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", 123),
        ("legal_name", "x" * 5000),
        ("legal_name", {"text": "Ltd"}),
        ("sites", "not-a-list"),
        ("languages", "en"),
        ("contacts", "x"),
        ("status", "archived"),
    ],
)
def test_vendor_update_with_a_bad_field_is_422_naming_it_and_stores_nothing(
    cluster, manager, source, vendor, field, value
):
    response = send(cluster, source, updated(vendor, **{field: value}))

    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM, response.text
    assert response.json()["errors"][0]["pointer"].startswith(f"/data/{field}")
    after = manager.get(f"/api/v1/vendors/{vendor['id']}")
    assert after.status_code == 200 and after.json()["version"] == vendor["version"]
    assert manager.get("/api/v1/vendors").status_code == 200


@pytest.mark.parametrize(
    "message",
    [
        {"type": "worker.onboarded", "data": {"vendor_external_id": "x", "email": "not-an-email", "full_name": "A",
                                              "country": "KE", "timezone": "Africa/Nairobi"}},
        {"type": "worker.offboarded", "data": {"email": ["a@example.org"]}},
        {"type": "invoice.status_changed", "data": {"vendor_external_id": "x", "invoice_number": 7,
                                                    "status": "submitted"}},
        {"type": 5, "data": {}},
        {"type": "vendor.updated", "data": []},
    ],
)  # fmt: skip
def test_every_inbound_event_type_is_validated(cluster, source, message):
    response = send(cluster, source, message)

    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM, response.text


def test_a_refused_body_does_not_use_up_its_webhook_id(cluster, manager, source, vendor):
    msg_id = f"msg_{uuid.uuid4().hex}"
    send(cluster, source, updated(vendor, country=123), msg_id=msg_id)

    again = send(cluster, source, updated(vendor, country="ke"), msg_id=msg_id)

    assert again.json()["status"] == "processed", again.text
    assert manager.get(f"/api/v1/vendors/{vendor['id']}").json()["country"] == "KE"


def _log(admin, source: dict) -> list[dict]:
    response = admin.get("/api/v1/webhooks/vms-inbound-log", params={"source": source["source"], "limit": 50})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_every_signed_message_is_logged_with_its_outcome_refusals_included(
    admin, cluster, manager, source, vendor
):
    refused_id, processed_id = f"msg_{uuid.uuid4().hex}", f"msg_{uuid.uuid4().hex}"
    refused = send(cluster, source, updated(vendor, country=123), msg_id=refused_id)
    send(cluster, source, updated(vendor, country="ke"), msg_id=processed_id)
    send(cluster, source, updated(vendor, country="ke"), msg_id=processed_id)
    send(cluster, source, updated(vendor, country="ke"), secret=signatures.generate_secret())

    log = _log(admin, source)

    assert refused.status_code == 422
    assert [(e["webhook_id"], e["status"]) for e in log] == [
        (processed_id, 200), (processed_id, 200), (refused_id, 422)
    ]  # fmt: skip
    assert [e["outcome"] for e in log][:2] == ["duplicate", log[1]["outcome"]] and log[1][
        "outcome"
    ] != "duplicate"
    assert log[2]["event_type"] == "vendor.updated" and "country" in log[2]["outcome"]
    # The refused body itself is not kept anywhere in the log.
    assert "123" not in str(log[2])
    assert manager.get("/api/v1/webhooks/vms-inbound-log").status_code == 403


def test_a_message_about_another_vendor_is_logged_as_the_404_it_was(admin, cluster, manager, source):
    stranger = vendor_with_vms_id(manager)

    response = send(cluster, source, updated(stranger, country="ke"))

    assert response.status_code == 404
    assert [(e["status"], e["event_type"]) for e in _log(admin, source)][:1] == [(404, "vendor.updated")]


# --- inbound: effects ----------------------------------------------------------------------------


def test_worker_onboarded_creates_the_contributor_linked_to_the_vendor(
    cluster, manager, source, vendor, databases
):
    email = unique_email("vms-worker")
    message = {
        "type": "worker.onboarded",
        "data": {"vendor_external_id": vendor["external_vms_id"], "email": email, "full_name": "Wanjiru Labeler",
                 "country": "KE", "timezone": "Africa/Nairobi", "languages": [{"code": "sw", "proficiency": "native"}],
                 "skills": ["ner"]},
    }  # fmt: skip

    response = send(cluster, source, message)

    assert response.status_code == 200, response.text
    assert response.json()["outcome"].startswith("contributor"), response.json()
    rows = query(
        databases.urls["contributors"], "SELECT vendor_id FROM contributors WHERE email = :e", e=email
    )
    assert rows == [{"vendor_id": vendor["id"]}]


def test_worker_onboarded_again_updates_the_existing_contributor(cluster, manager, source, vendor, databases):
    email = unique_email("vms-worker")
    data = {"vendor_external_id": vendor["external_vms_id"], "email": email, "full_name": "Wanjiru Labeler",
            "country": "KE", "timezone": "Africa/Nairobi", "languages": [{"code": "sw", "proficiency": "native"}],
            "skills": ["ner"]}  # fmt: skip
    send(cluster, source, {"type": "worker.onboarded", "data": data})

    again = send(cluster, source, {"type": "worker.onboarded", "data": {**data, "full_name": "Wanjiru K. Labeler",
                                                                           "skills": ["ner", "ocr"]}})  # fmt: skip

    assert again.status_code == 200 and again.json()["outcome"].endswith("updated"), again.text
    rows = query(
        databases.urls["contributors"],
        "SELECT id, full_name, vendor_id FROM contributors WHERE email = :e",
        e=email,
    )
    assert (
        len(rows) == 1
        and rows[0]["full_name"] == "Wanjiru K. Labeler"
        and rows[0]["vendor_id"] == vendor["id"]
    )


def test_invoice_status_changed_in_the_vms_moves_the_invoice(cluster, manager, source, vendor):
    invoice = new_invoice(manager, vendor, "INV-VMS-1")

    send(cluster, source, {"type": "invoice.status_changed", "data": {
        "vendor_external_id": vendor["external_vms_id"], "invoice_number": "INV-VMS-1", "status": "submitted"}})  # fmt: skip

    assert manager.get(f"/api/v1/invoices/{invoice['id']}").json()["status"] == "submitted"


# --- inbound: a source acts only on the vendors it is bound to ------------------------------------


def onboarded(vendor: dict, email: str) -> dict:
    return {"type": "worker.onboarded", "data": {"vendor_external_id": vendor["external_vms_id"], "email": email,
                                                 "full_name": "Amara Labeler", "country": "KE",
                                                 "timezone": "Africa/Nairobi"}}  # fmt: skip


def test_registering_a_source_needs_existing_vendors(admin):
    response = admin.post(
        "/api/v1/webhooks/vms-sources", json={"source": "vms-nobody", "vendor_ids": [2**31 - 1]}
    )

    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/vendor_ids"


def test_a_source_cannot_update_another_vendor(cluster, manager, source, vendor):
    other = vendor_with_vms_id(manager)

    response = send(cluster, source, updated(other, legal_name="Hijacked Ltd"))

    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    assert manager.get(f"/api/v1/vendors/{other['id']}").json() == other


def test_a_source_cannot_move_another_vendors_invoice(cluster, manager, source, vendor):
    other = vendor_with_vms_id(manager)
    invoice = new_invoice(manager, other, "INV-OTHER-1")

    response = send(cluster, source, {"type": "invoice.status_changed", "data": {
        "vendor_external_id": other["external_vms_id"], "invoice_number": "INV-OTHER-1", "status": "submitted"}})  # fmt: skip

    assert response.status_code == 404
    assert manager.get(f"/api/v1/invoices/{invoice['id']}").json()["status"] == "draft"


def test_a_source_cannot_onboard_workers_into_another_vendor(cluster, manager, source, vendor, databases):
    other = vendor_with_vms_id(manager)
    email = unique_email("vms-worker")

    response = send(cluster, source, onboarded(other, email))

    assert response.status_code == 404
    assert (
        query(databases.urls["contributors"], "SELECT id FROM contributors WHERE email = :e", e=email) == []
    )


def test_a_source_cannot_take_over_or_offboard_another_vendors_worker(cluster, admin, manager, source, vendor,
                                                                      databases):  # fmt: skip
    other = vendor_with_vms_id(manager)
    email = unique_email("vms-worker")
    assert send(cluster, register_source(admin, other), onboarded(other, email)).status_code == 200

    takeover = send(cluster, source, onboarded(vendor, email))
    offboard = send(cluster, source, {"type": "worker.offboarded", "data": {"email": email}})

    assert takeover.status_code == 404 and offboard.status_code == 404
    rows = query(databases.urls["contributors"], "SELECT vendor_id, status FROM contributors WHERE email = :e",
                 e=email)  # fmt: skip
    assert rows[0]["vendor_id"] == other["id"] and rows[0]["status"] != "offboarded"


def test_binding_a_source_to_another_vendor_lets_it_act_there(cluster, admin, manager, source, vendor):
    other = vendor_with_vms_id(manager)

    bound = admin.patch(
        f"/api/v1/webhooks/vms-sources/{source['id']}", json={"vendor_ids": [vendor["id"], other["id"]]}
    )
    response = send(cluster, source, updated(other, legal_name="Now Bound Ltd"))

    assert bound.status_code == 200 and bound.json()["vendor_ids"] == sorted([vendor["id"], other["id"]])
    assert response.status_code == 200
    assert manager.get(f"/api/v1/vendors/{other['id']}").json()["legal_name"] == "Now Bound Ltd"


def test_only_admins_bind_sources(manager, source):
    response = manager.patch(f"/api/v1/webhooks/vms-sources/{source['id']}", json={"vendor_ids": [1]})

    assert response.status_code == 403


# --- outbound ------------------------------------------------------------------------------------


def subscribe(manager, receiver: Receiver, event_types: list[str]) -> dict:
    response = manager.post(
        "/api/v1/webhook-subscriptions", json={"url": receiver.url, "event_types": event_types}
    )
    assert response.status_code == 201, response.text
    return response.json()


def deliveries(manager, subscription: dict) -> list[dict]:
    return manager.get(f"/api/v1/webhook-subscriptions/{subscription['id']}/deliveries").json()["items"]


def test_delivery_is_retried_after_failures_and_then_succeeds(manager):
    receiver = Receiver(statuses=[503, 500])
    subscription = subscribe(manager, receiver, ["contract.activated"])
    contract = new_contract(manager, new_vendor(manager)["id"])

    for to in ("negotiating", "active"):
        manager.post(f"/api/v1/contracts/{contract['id']}/transitions", json={"to": to})

    delivered = eventually(
        lambda: [d for d in deliveries(manager, subscription) if d["status"] == "delivered"]
    )
    assert delivered[0]["attempts"] == 3
    assert [entry["status_code"] for entry in delivered[0]["log"]] == [503, 500, 200]
    assert len(receiver.requests) == 3


def test_delivery_is_signed_with_the_subscription_secret(manager):
    receiver = Receiver()
    subscription = subscribe(manager, receiver, ["contract.activated"])
    contract = new_contract(manager, new_vendor(manager)["id"])
    for to in ("negotiating", "active"):
        manager.post(f"/api/v1/contracts/{contract['id']}/transitions", json={"to": to})

    request = eventually(lambda: receiver.requests)[0]

    verified = signatures.verify(
        subscription["secret"], request["headers"], request["body"], now=int(time.time())
    )
    body = orjson.loads(request["body"])
    assert verified.msg_id == request["headers"]["webhook-id"]
    assert body["type"] == "contract.activated" and body["data"]["contract"]["id"] == contract["id"]


def test_a_410_disables_the_subscription(manager):
    receiver = Receiver(statuses=[410])
    subscription = subscribe(manager, receiver, ["contract.activated"])

    manager.post(f"/api/v1/webhook-subscriptions/{subscription['id']}/ping")

    disabled = eventually(
        lambda: (
            (s := manager.get(f"/api/v1/webhook-subscriptions/{subscription['id']}").json())["status"]
            == "disabled"
            and s
        )
    )
    assert "410" in disabled["disabled_reason"]


def test_delivery_is_dead_lettered_after_the_schedule_and_can_be_redelivered(manager):
    receiver = Receiver(statuses=[500, 500, 500])
    subscription = subscribe(manager, receiver, ["budget.alert"])
    manager.post(f"/api/v1/webhook-subscriptions/{subscription['id']}/ping")
    dead = eventually(lambda: [d for d in deliveries(manager, subscription) if d["status"] == "dead_letter"])[
        0
    ]

    response = manager.post(
        f"/api/v1/webhook-subscriptions/{subscription['id']}/deliveries/{dead['id']}/redeliver"
    )

    assert response.status_code == 202
    again = eventually(lambda: [d for d in deliveries(manager, subscription) if d["status"] == "delivered"])
    assert again[0]["id"] == dead["id"] and len(receiver.requests) == 4


def test_redirects_are_not_followed(manager):
    target = Receiver()
    receiver = Receiver(statuses=[302])
    subscription = subscribe(manager, receiver, ["budget.alert"])

    manager.post(f"/api/v1/webhook-subscriptions/{subscription['id']}/ping")

    failed = eventually(
        lambda: [d for d in deliveries(manager, subscription) if d["last_status_code"] == 302]
    )
    assert failed[0]["status"] != "delivered" and target.requests == []


def test_ping_reaches_the_receiver(manager):
    receiver = Receiver()
    subscription = subscribe(manager, receiver, ["invoice.approved"])

    response = manager.post(f"/api/v1/webhook-subscriptions/{subscription['id']}/ping")

    assert response.status_code == 202
    assert orjson.loads(eventually(lambda: receiver.requests)[0]["body"])["type"] == "webhook.ping"


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest",
        "https://10.0.0.5/hook",
        "ftp://example.org/hook",
        "https://user:pw@example.org/",
    ],
)
def test_unsafe_subscription_urls_are_422(manager, url):
    response = manager.post(
        "/api/v1/webhook-subscriptions", json={"url": url, "event_types": ["budget.alert"]}
    )

    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/url"


def test_unknown_event_type_is_422(manager):
    response = manager.post(
        "/api/v1/webhook-subscriptions",
        json={"url": "https://example.org/hook", "event_types": ["vendor.deleted"]},
    )

    assert response.status_code == 422


def test_contributor_events_are_forwarded_to_subscribers_of_the_family(cluster, manager):
    receiver = Receiver()
    subscribe(manager, receiver, ["contributor.*"])
    token = issue_internal_token(
        service_principal("contributors"), secret=cluster.internal_secret, ttl_seconds=60
    )
    event = {"id": str(uuid.uuid4()), "type": "contributor.erased", "source": "contributors",
             "occurred_at": "2026-11-23T09:00:00Z", "data": {"contributor_id": 77, "email": "gone@example.org"}}  # fmt: skip

    response = httpx.post(
        cluster.services["vendors"].url + "/internal/events",
        json=event,
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200, response.text
    body = orjson.loads(eventually(lambda: receiver.requests)[0]["body"])
    assert body["type"] == "contributor.erased" and body["data"] == {"contributor_id": 77}


def test_analyst_cannot_create_subscriptions(users):
    analyst = users.create("analyst")

    response = analyst.post(
        "/api/v1/webhook-subscriptions",
        json={"url": "https://example.org/h", "event_types": ["budget.alert"]},
    )

    assert response.status_code == 403


def test_only_admins_register_vms_sources(manager):
    response = manager.post(
        "/api/v1/webhooks/vms-sources", json={"source": unique_name("s").replace(" ", "-")}
    )

    assert response.status_code == 403


def test_delivery_outcomes_and_backlog_are_exported_as_metrics(cluster, manager):
    receiver = Receiver()
    subscription = subscribe(manager, receiver, ["budget.alert"])
    manager.post(f"/api/v1/webhook-subscriptions/{subscription['id']}/ping")
    eventually(lambda: [d for d in deliveries(manager, subscription) if d["status"] == "delivered"])

    text = httpx.get(cluster.services["vendors"].url + "/metrics").text

    assert 'labelops_webhook_delivery_attempts_total{outcome="delivered"}' in text
    assert 'labelops_webhook_deliveries{status="pending"}' in text
