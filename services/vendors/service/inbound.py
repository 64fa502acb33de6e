"""Inbound VMS webhooks: Standard Webhooks verification, dedupe by webhook-id, and their effects."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

import orjson
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors import repository, signatures
from services.vendors.metrics import INBOUND_WEBHOOKS
from services.vendors.models import VmsSource
from services.vendors.schemas import InboundResult, VmsSourceCreate
from services.vendors.service.common import touch
from services.vendors.service.machines import INVOICE_STATUSES, VENDOR_STATUSES
from shared.db import utcnow
from shared.errors import BadRequest, ServiceUnavailable, Unauthorized, Unprocessable

log = logging.getLogger("labelops.vendors.inbound")

VENDOR_FIELDS = ("legal_name", "country", "languages", "skills", "sites", "contacts")


async def register_source(session: AsyncSession, *, data: VmsSourceCreate) -> tuple[VmsSource, str]:
    """A new VMS source with its signing secret (generated unless given); the secret is shown once."""
    secret = data.secret or signatures.generate_secret()
    try:
        signatures.sign(secret, "check", 0, b"")  # refuses a secret that is not whsec_ base64
    except ValueError as exc:
        raise Unprocessable(
            str(exc), errors=[{"pointer": "/secret", "field": "secret", "in": "body", "detail": str(exc)}]
        ) from exc
    source = VmsSource(source=data.source, secret=secret)
    await repository.add(session, source, conflict=f"VMS source {data.source!r} already exists")
    return source, secret


def _unauthorized(detail: str) -> Unauthorized:
    INBOUND_WEBHOOKS.labels("rejected").inc()
    return Unauthorized(detail, headers={"WWW-Authenticate": 'Signature realm="vms"'})


async def receive(
    session: AsyncSession, app: FastAPI, *, source: str, headers: dict[str, str], body: bytes, tolerance: int
) -> InboundResult:
    """Verify, dedupe, then apply the event; a duplicate webhook-id is acknowledged with no second effect."""
    registered = await repository.vms_source(session, source=source)
    if registered is None:
        # Same answer as a bad signature: do not tell a prober which sources exist.
        raise _unauthorized("webhook signature could not be verified")
    try:
        verified = signatures.verify(
            registered.secret, headers, body, now=int(time.time()), tolerance_seconds=tolerance
        )
    except signatures.WebhookVerificationError as exc:
        raise _unauthorized(f"webhook rejected: {exc}") from exc
    try:
        message = orjson.loads(body)
        event_type = str(message["type"])[:100]
        data = message.get("data") or {}
        if not isinstance(data, dict):
            raise TypeError("data must be an object")
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise BadRequest(f"webhook body must be JSON with 'type' and an object 'data': {exc}") from exc
    await repository.purge_inbound_before(
        session, before=utcnow() - timedelta(days=app.state.settings.inbound_dedupe_days)
    )
    fresh = await repository.claim_inbound_webhook(
        session, source=source, webhook_id=verified.msg_id[:200], event_type=event_type
    )
    if not fresh:
        INBOUND_WEBHOOKS.labels("duplicate").inc()
        return InboundResult(status="duplicate", webhook_id=verified.msg_id)
    handler = HANDLERS.get(event_type)
    outcome = "ignored: unknown event type" if handler is None else await handler(session, app, data)
    await repository.record_inbound_outcome(
        session, source=source, webhook_id=verified.msg_id[:200], outcome=outcome
    )
    INBOUND_WEBHOOKS.labels("processed").inc()
    return InboundResult(status="processed", webhook_id=verified.msg_id, outcome=outcome)


def _required(data: dict, name: str) -> Any:
    value = data.get(name)
    if value in (None, ""):
        raise Unprocessable(f"webhook data lacks '{name}'", errors=[{"pointer": f"/data/{name}", "field": f"data.{name}",
                                                                     "in": "body", "detail": "required"}])  # fmt: skip
    return value


async def _vendor_updated(session: AsyncSession, app: FastAPI, data: dict) -> str:
    external_id = str(_required(data, "external_vms_id"))
    vendor = await repository.vendor_by_external_id(session, external_vms_id=external_id)
    if vendor is None:
        return f"ignored: no vendor with external id {external_id}"
    changed = [name for name in VENDOR_FIELDS if name in data and data[name] is not None]
    for name in changed:
        setattr(vendor, name, data[name].upper() if name == "country" else data[name])
    status = data.get("status")
    if status and status != vendor.status and status in VENDOR_STATUSES.get(vendor.status, ()):
        vendor.status = status
        changed.append("status")
    touch(vendor)
    return f"vendor {vendor.id} updated: {', '.join(changed) or 'nothing'}"


async def _contributor_call(app: FastAPI, method: str, path: str, **kw: Any) -> Any:
    """A peer call whose refusal must make the VMS retry: the 503 also rolls back the webhook-id claim."""
    response = await app.state.services.request("contributors", method, path, **kw)
    if response.status_code >= 500 or response.status_code in (401, 403, 405):
        raise ServiceUnavailable(
            f"the contributors service answered {response.status_code} to {method} {path}",
            service="contributors",
        )
    return response


async def _find_contributor(app: FastAPI, email: str) -> dict | None:
    response = await _contributor_call(app, "GET", "/api/v1/contributors", params={"email": email})
    if response.status_code != 200:
        return None
    items = [i for i in response.json().get("items", []) if str(i.get("email", "")).lower() == email.lower()]
    return items[0] if items else None


async def _worker_onboarded(session: AsyncSession, app: FastAPI, data: dict) -> str:
    vendor = await repository.vendor_by_external_id(
        session, external_vms_id=str(_required(data, "vendor_external_id"))
    )
    email = str(_required(data, "email"))
    profile = {
        "full_name": _required(data, "full_name"),
        "country": _required(data, "country"),
        "timezone": _required(data, "timezone"),
        "languages": data.get("languages") or [],
        "skills": data.get("skills") or [],
        "vendor_id": vendor.id if vendor else None,
    }
    existing = await _find_contributor(app, email)
    if existing is not None:
        return await _update_contributor(app, existing["id"], profile)
    body = {"email": email, **profile, "source_channel": "vms"}
    response = await _contributor_call(app, "POST", "/api/v1/contributors", json=body)
    if response.status_code == 409:
        return "contributor already exists"
    if response.status_code >= 300:
        # The VMS sent data our contributors service refuses; retrying the same message cannot help.
        return f"rejected by contributors ({response.status_code}): {response.text[:200]}"
    return f"contributor {response.json().get('id')} created"


async def _update_contributor(app: FastAPI, contributor_id: int, profile: dict[str, Any]) -> str:
    """The VMS is the source of truth for its workers' profiles: apply what it sent, at the version read."""
    path = f"/api/v1/contributors/{contributor_id}"
    current = await _contributor_call(app, "GET", path)
    response = await _contributor_call(
        app, "PATCH", path, json=profile, headers={"If-Match": current.headers["etag"]}
    )
    if response.status_code == 412:
        # Changed between our read and write: a 503 makes the VMS send the message again.
        raise ServiceUnavailable(
            "the contributor changed while it was being updated; retry", service="contributors"
        )
    if response.status_code >= 300:
        return f"rejected by contributors ({response.status_code}): {response.text[:200]}"
    return f"contributor {contributor_id} updated"


async def _worker_offboarded(session: AsyncSession, app: FastAPI, data: dict) -> str:
    email = str(_required(data, "email"))
    existing = await _find_contributor(app, email)
    if existing is None:
        return "ignored: no contributor with that email"
    response = await _contributor_call(
        app,
        "POST",
        f"/api/v1/contributors/{existing['id']}/transitions",
        json={"to": "offboarded", "reason": str(data.get("reason") or "offboarded in the VMS")[:500]},
    )
    if response.status_code >= 300:
        return f"rejected by contributors ({response.status_code}): {response.text[:200]}"
    return f"contributor {existing['id']} offboarded"


async def _invoice_status_changed(session: AsyncSession, app: FastAPI, data: dict) -> str:
    vendor = await repository.vendor_by_external_id(
        session, external_vms_id=str(_required(data, "vendor_external_id"))
    )
    number = str(_required(data, "invoice_number"))
    status = str(_required(data, "status"))
    if vendor is None:
        return "ignored: unknown vendor"
    invoice = await repository.invoice_by_number(session, vendor_id=vendor.id, number=number)
    if invoice is None:
        return f"ignored: vendor {vendor.id} has no invoice {number}"
    if status not in INVOICE_STATUSES.get(invoice.status, ()):
        return f"ignored: invoice {invoice.id} cannot move from {invoice.status} to {status}"
    invoice.status = status
    invoice.status_note = "changed by the VMS"
    touch(invoice)
    return f"invoice {invoice.id} moved to {status}"


HANDLERS = {
    "vendor.updated": _vendor_updated,
    "worker.onboarded": _worker_onboarded,
    "worker.offboarded": _worker_offboarded,
    "invoice.status_changed": _invoice_status_changed,
}
