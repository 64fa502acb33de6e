"""Invoice reconciliation a finance team can sign, and approval by API or VMS under the same rules — through
the gateway, against production measured by the real tasks service.

Production counts by decision time (today), so contracts and periods below are placed around today.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest

from services.vendors.rules import webhooks as signatures
from tests.services.vendors.support import (
    Receiver,
    active_contract_with_rates,
    new_contract,
    new_vendor,
    vendor_project,
    vendor_staff,
    work,
)
from tests.support.waiting import eventually

TODAY = datetime.now(UTC).date()
BBOX_FR = {"task_type": "bbox", "language": "fr", "unit": "task", "unit_price": "1.25"}
NER_EN_HOURLY = {"task_type": "ner", "language": "en", "unit": "hour", "unit_price": "30.00"}


def days(n: int) -> str:
    return str(TODAY + timedelta(days=n))


@pytest.fixture(scope="module")
def manager(users):
    return users.create("vendor_manager")


def claim(task_type: str, language: str, units: str, price: str, unit: str = "task") -> dict:
    return {"task_type": task_type, "language": language, "unit": unit, "units_claimed": units,
            "unit_price": price}  # fmt: skip


def invoice(manager, vendor_id: int, lines: list[dict], *, start: str = days(-5), end: str = days(0)) -> dict:
    body = {"vendor_id": vendor_id, "number": f"INV-{uuid.uuid4().hex[:8]}", "currency": "USD",
            "period_start": start, "period_end": end, "lines": lines}  # fmt: skip
    response = manager.post("/api/v1/invoices", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def move(client, invoice_id: int, to: str, **extra) -> httpx.Response:
    return client.post(f"/api/v1/invoices/{invoice_id}/transitions", json={"to": to, **extra})


def move_contract(client, contract_id: int, to: str) -> httpx.Response:
    return client.post(f"/api/v1/contracts/{contract_id}/transitions", json={"to": to})


def bbox_work(admin, users, vendor_id: int, n: int) -> None:
    _, queues = vendor_project(admin, vendor_id, task_type="bbox", language="fr", tasks=n)
    work(vendor_staff(admin, users, vendor_id, languages=("fr",)), queues["labeling"], answers=["cat"] * n)


@pytest.fixture(scope="module")
def overclaimed(manager, admin, users) -> dict:
    """A vendor under contract since 30 days ago with 2 bbox units accepted today, and a submitted invoice
    claiming 3 of them: 3.75 claimed, 2.50 supported."""
    vendor = new_vendor(manager, external_vms_id=f"ext-{uuid.uuid4().hex[:10]}")
    active_contract_with_rates(manager, vendor["id"], [BBOX_FR], starts_on=days(-30), ends_on=days(300))
    bbox_work(admin, users, vendor["id"], 2)
    return vendor


def submitted_overclaim(manager, vendor: dict) -> dict:
    row = invoice(manager, vendor["id"], [claim("bbox", "fr", "3", "1.25")])
    assert move(manager, row["id"], "submitted").status_code == 200
    return row


# --- pricing each day at the contract in force ----------------------------------------------------


def test_a_month_to_date_invoice_starting_before_the_contract_is_priced_at_the_contract(
    manager, admin, users
):
    # given a contract that starts today and an invoice period that began five days earlier
    vendor = new_vendor(manager)
    contract = active_contract_with_rates(
        manager, vendor["id"], [BBOX_FR], starts_on=days(0), ends_on=days(60)
    )
    bbox_work(admin, users, vendor["id"], 2)
    row = invoice(manager, vendor["id"], [claim("bbox", "fr", "2", "2.00")])

    # when
    report = manager.get(f"/api/v1/invoices/{row['id']}/reconciliation").json()

    # then today's units are supported at the contract's 1.25, not the claimed 2.00
    line = report["lines"][0]
    assert row["contract_id"] == contract["id"]
    assert (line["status"], line["amount_supported"], line["contracted_unit_price"], line["price_mismatch"]) == (
        "matched", "2.50", "1.25", True)  # fmt: skip
    assert [(p["contract_id"], p["quantity"]) for p in line["pricing"]] == [(contract["id"], "2")]
    assert report["days_without_contract"] == [
        {"contract_id": None, "first_day": days(-5), "last_day": days(-1)}
    ]


def test_work_on_a_day_no_contract_covers_is_unpriced_and_flagged(manager, admin, users):
    # given a contract that ended yesterday and work accepted today
    vendor = new_vendor(manager)
    active_contract_with_rates(manager, vendor["id"], [BBOX_FR], starts_on=days(-60), ends_on=days(-1))
    bbox_work(admin, users, vendor["id"], 2)
    row = invoice(manager, vendor["id"], [claim("bbox", "fr", "2", "1.25")])

    # when
    report = manager.get(f"/api/v1/invoices/{row['id']}/reconciliation").json()

    # then the units are measured but nothing supports their price
    line = report["lines"][0]
    assert (line["status"], line["units_unpriced"], line["unpriced"], line["amount_supported"]) == (
        "matched", "2", True, "0.00")  # fmt: skip
    assert report["has_discrepancies"] is True and report["supported_claim"] == "0.00"


def test_a_contract_terminated_today_prices_todays_work_and_one_never_active_prices_none(
    manager, admin, users
):
    # given two vendors with work today: one's contract was active and is terminated today, the other's
    # was terminated while still negotiating
    terminated, never_active = new_vendor(manager), new_vendor(manager)
    dates = {"starts_on": days(-30), "ends_on": days(300)}
    ended = active_contract_with_rates(manager, terminated["id"], [BBOX_FR], **dates)
    assert move_contract(manager, ended["id"], "terminated").status_code == 200
    draft = new_contract(manager, never_active["id"], **dates)
    assert manager.put(f"/api/v1/rate-cards/{draft['id']}", json={"lines": [BBOX_FR]}).status_code == 200
    for to in ("negotiating", "terminated"):
        assert move_contract(manager, draft["id"], to).status_code == 200
    lines = [claim("bbox", "fr", "1", "1.25")]
    for vendor in (terminated, never_active):
        bbox_work(admin, users, vendor["id"], 1)

    # when
    reports = [
        manager.get(f"/api/v1/invoices/{invoice(manager, v['id'], lines)['id']}/reconciliation").json()
        for v in (terminated, never_active)
    ]

    # then
    (priced,), (unpriced,) = (report["lines"] for report in reports)
    assert (priced["amount_supported"], priced["unpriced"]) == ("1.25", False)
    assert (unpriced["amount_supported"], unpriced["unpriced"]) == ("0.00", True)


def test_hour_lines_are_measured_in_handling_hours_not_task_counts(manager, admin, users):
    # given 4 tasks answered in 900 s each (1 hour) under an hourly rate, and an invoice for 4 hours
    vendor = new_vendor(manager)
    active_contract_with_rates(manager, vendor["id"], [NER_EN_HOURLY], starts_on=days(-30), ends_on=days(300))
    _, queues = vendor_project(admin, vendor["id"], task_type="ner", language="en", tasks=4)
    work(vendor_staff(admin, users, vendor["id"]), queues["labeling"], answers=["cat"] * 4, seconds=900)
    row = invoice(manager, vendor["id"], [claim("ner", "en", "4", "30.00", unit="hour")])

    # when
    line = manager.get(f"/api/v1/invoices/{row['id']}/reconciliation").json()["lines"][0]

    # then 1 hour is supported, not 4 (the task count)
    assert (line["measure"], line["units_measured"], line["status"]) == (
        "handling_hours",
        "1.0000",
        "over_claimed",
    )
    assert (line["amount_claimed"], line["amount_supported"], line["discrepancy"]) == (
        "120.00",
        "30.00",
        "90.00",
    )


# --- approval -------------------------------------------------------------------------------------


def test_approving_open_discrepancies_without_a_reason_approves_the_supported_amount(manager, overclaimed):
    row = submitted_overclaim(manager, overclaimed)

    approved = move(manager, row["id"], "approved")

    body = approved.json()
    assert approved.status_code == 200, approved.text
    assert (body["status"], body["total"], body["approved_total"], body["approval_basis"]) == (
        "approved", "3.75", "2.50", "supported")  # fmt: skip
    audit = manager.get(f"/api/v1/invoices/{row['id']}/audit").json()["items"]
    assert [(a["from_status"], a["to_status"], a["channel"]) for a in audit] == [
        ("draft", "submitted", "api"), ("submitted", "approved", "api")]  # fmt: skip
    assert (audit[1]["total_supported"], audit[1]["approved_total"], audit[1]["has_discrepancies"]) == (
        "2.50", "2.50", True)  # fmt: skip


def test_an_override_reason_approves_the_claim_and_is_audited(manager, overclaimed):
    receiver = Receiver()
    manager.post(
        "/api/v1/webhook-subscriptions", json={"url": receiver.url, "event_types": ["invoice.approved"]}
    )
    row = submitted_overclaim(manager, overclaimed)
    reason = "third unit redone off-platform, agreed with the vendor by email"

    approved = move(manager, row["id"], "approved", override_reason=reason).json()

    assert (approved["approved_total"], approved["approval_basis"], approved["override_reason"]) == (
        "3.75", "override", reason)  # fmt: skip
    audit = manager.get(f"/api/v1/invoices/{row['id']}/audit").json()["items"][-1]
    assert (audit["override_reason"], audit["approval_basis"], audit["approved_total"]) == (
        reason,
        "override",
        "3.75",
    )
    sent = eventually(lambda: [r for r in receiver.requests if row["number"].encode() in r["body"]])
    assert orjson.loads(sent[0]["body"])["data"]["invoice"]["approved_total"] == "3.75"


def test_an_override_reason_on_another_move_is_422(manager, overclaimed):
    row = invoice(manager, overclaimed["id"], [claim("bbox", "fr", "3", "1.25")])

    response = move(manager, row["id"], "submitted", override_reason="no reason to give one")

    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/override_reason"


def test_an_invoice_that_cannot_be_measured_is_not_approved(manager, cluster, overclaimed):
    row = submitted_overclaim(manager, overclaimed)
    cluster.stop("tasks")
    try:
        response = move(manager, row["id"], "approved")
    finally:
        cluster.restart("tasks")

    assert response.status_code == 503
    assert manager.get(f"/api/v1/invoices/{row['id']}").json()["status"] == "submitted"


# --- the VMS goes through the same rules ----------------------------------------------------------


def send_status(cluster, source: dict, vendor: dict, number: str, status: str) -> httpx.Response:
    raw = orjson.dumps({"type": "invoice.status_changed", "data": {
        "vendor_external_id": vendor["external_vms_id"], "invoice_number": number, "status": status}})  # fmt: skip
    signed = signatures.signed_headers(source["secret"], f"msg_{uuid.uuid4().hex}", int(time.time()), raw)
    return httpx.post(
        f"{cluster.gateway_url}/api/v1/webhooks/vms/{source['source']}",
        content=raw,
        headers={**signed, "content-type": "application/json"},
    )


@pytest.fixture(scope="module")
def source(admin, overclaimed) -> dict:
    response = admin.post(
        "/api/v1/webhooks/vms-sources",
        json={"source": f"vms-{uuid.uuid4().hex[:8]}", "vendor_ids": [overclaimed["id"]]},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_vms_approval_is_reconciled_audited_and_announced(manager, cluster, source, overclaimed):
    receiver = Receiver()
    manager.post(
        "/api/v1/webhook-subscriptions", json={"url": receiver.url, "event_types": ["invoice.approved"]}
    )
    row = submitted_overclaim(manager, overclaimed)

    response = send_status(cluster, source, overclaimed, row["number"], "approved")

    assert response.status_code == 200 and "approved at 2.50 USD (supported)" in response.json()["outcome"]
    after = manager.get(f"/api/v1/invoices/{row['id']}").json()
    assert (after["status"], after["approved_total"], after["approval_basis"]) == (
        "approved",
        "2.50",
        "supported",
    )
    audit = manager.get(f"/api/v1/invoices/{row['id']}/audit").json()["items"][-1]
    assert (audit["channel"], audit["actor"], audit["to_status"]) == (
        "vms",
        f"vms:{source['source']}",
        "approved",
    )
    assert eventually(lambda: [r for r in receiver.requests if row["number"].encode() in r["body"]])


def test_a_vms_cannot_approve_an_invoice_that_cannot_be_measured(manager, cluster, source, overclaimed):
    row = submitted_overclaim(manager, overclaimed)
    cluster.stop("tasks")
    try:
        response = send_status(cluster, source, overclaimed, row["number"], "approved")
    finally:
        cluster.restart("tasks")

    # 503: the VMS sends it again later, and the webhook-id is not used up
    assert response.status_code == 503
    assert manager.get(f"/api/v1/invoices/{row['id']}").json()["status"] == "submitted"
