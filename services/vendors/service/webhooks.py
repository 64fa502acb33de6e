"""Inbound VMS webhooks: Standard Webhooks verification, dedupe by webhook-id, and their effects."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.metrics import INBOUND_WEBHOOKS
from services.vendors.models import Vendor, VmsInboundLog, VmsSource
from services.vendors.repository import common as common_repository
from services.vendors.repository import invoices as invoice_repository
from services.vendors.repository import vendors as vendor_repository
from services.vendors.repository import webhooks as webhook_repository
from services.vendors.rules import webhooks as webhook_rules
from services.vendors.rules.transitions import INVOICE_STATUSES, VENDOR_STATUSES
from services.vendors.schemas.webhooks import (
    InboundResult,
    InvoiceStatusChangedData,
    InvoiceStatusChangedEvent,
    VendorUpdatedData,
    VendorUpdatedEvent,
    VmsEvent,
    VmsSourceCreate,
    VmsSourceUpdate,
    WorkerOffboardedData,
    WorkerOffboardedEvent,
    WorkerOnboardedData,
    WorkerOnboardedEvent,
)
from services.vendors.service import invoices, vendors
from services.vendors.service.common import found, lock_for_edit
from services.vendors.settings import VendorsSettings
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import BadRequest, DomainError, NotFound, ServiceUnavailable, Unauthorized, Unprocessable
from shared.http import ServiceClient
from shared.pagination import PageParams, page_of

log = logging.getLogger("labelops.vendors.inbound")


async def register_source(*, session: AsyncSession, data: VmsSourceCreate) -> tuple[VmsSource, str]:
    """A new VMS source with its signing secret (generated unless given); the secret is shown once."""
    secret = data.secret or webhook_rules.generate_secret()
    try:
        webhook_rules.sign(secret, "check", 0, b"")  # refuses a secret that is not whsec_ base64
    except ValueError as exc:
        raise Unprocessable(
            str(exc), errors=[{"pointer": "/secret", "field": "secret", "in": "body", "detail": str(exc)}]
        ) from exc
    source = VmsSource(
        source=data.source, secret=secret, vendor_ids=await _known_vendors(session, data.vendor_ids)
    )
    await common_repository.add(session, source, conflict=f"VMS source {data.source!r} already exists")
    return source, secret


async def get_source(*, session: AsyncSession, principal: Principal, source_id: int) -> VmsSource:
    row = await webhook_repository.get_vms_source(session, principal=principal, source_id=source_id)
    return found(row, "VMS source", source_id)


async def bind_source(*, session: AsyncSession, source: VmsSource, data: VmsSourceUpdate) -> VmsSource:
    """Replace the vendors a source may act on (how a source registered before bindings gets its own)."""
    source.vendor_ids = await _known_vendors(session, data.vendor_ids)
    await session.flush()
    return source


async def _known_vendors(session: AsyncSession, vendor_ids: list[int]) -> list[int]:
    missing = await vendor_repository.missing_vendor_ids(session, vendor_ids=vendor_ids)
    if missing:
        detail = f"no vendor with id {', '.join(map(str, missing))}"
        raise Unprocessable(
            detail, errors=[{"pointer": "/vendor_ids", "field": "vendor_ids", "in": "body", "detail": detail}]
        )
    return sorted(set(vendor_ids))


def _unauthorized(detail: str) -> Unauthorized:
    INBOUND_WEBHOOKS.labels("rejected").inc()
    return Unauthorized(detail, headers={"WWW-Authenticate": 'Signature realm="vms"'})


def _refusal(exc: DomainError | RequestValidationError) -> tuple[int, str]:
    """The status a refused VMS message was answered with, and why, as its inbound log keeps them."""
    if isinstance(exc, RequestValidationError):
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid"}
        where = ".".join(str(part) for part in first["loc"][1:]) or "body"
        return 422, f"refused: {where}: {first['msg']}"[:300]
    return exc.status, f"refused: {exc.detail}"[:300]


class InboundRefused(Exception):
    """A signed message refused after its refusal was logged; `cause` is what the VMS is answered."""

    def __init__(self, cause: DomainError | RequestValidationError):
        super().__init__(str(cause))
        self.cause = cause


async def receive(
    *,
    session: AsyncSession,
    services: ServiceClient,
    settings: VendorsSettings,
    source: str,
    headers: dict[str, str],
    body: bytes,
) -> InboundResult:
    """Verify, dedupe, then apply the event; a duplicate webhook-id is acknowledged with no second effect.
    Every signed message is logged with its outcome, a refusal too: its work is undone (a savepoint) and
    `InboundRefused` carries the error for the route to answer while the log row commits. Unsigned
    messages are not logged, or anyone could fill the log."""
    registered = await webhook_repository.vms_source(session, source=source)
    if registered is None:
        # Same answer as a bad signature: do not tell a prober which sources exist.
        raise _unauthorized("webhook signature could not be verified")
    try:
        verified = webhook_rules.verify(
            registered.secret,
            headers,
            body,
            now=int(time.time()),
            tolerance_seconds=settings.inbound_tolerance_seconds,
        )
    except webhook_rules.WebhookVerificationError as exc:
        raise _unauthorized(f"webhook rejected: {exc}") from exc
    entry = VmsInboundLog(source=source, webhook_id=verified.msg_id[:200], status=200, outcome="")
    try:
        async with session.begin_nested():
            result = await _apply(
                session, services, settings, registered=registered, webhook_id=verified.msg_id, body=body,
                entry=entry,
            )  # fmt: skip
    except (DomainError, RequestValidationError) as exc:
        # Nothing of the message stays (the savepoint is gone) but the record that it was refused.
        entry.status, entry.outcome = _refusal(exc)
        await webhook_repository.log_inbound(session, entry)
        raise InboundRefused(exc) from exc
    entry.outcome = result.outcome or result.status
    await webhook_repository.log_inbound(session, entry)
    return result


async def _apply(
    session: AsyncSession,
    services: ServiceClient,
    settings: VendorsSettings,
    *,
    registered: VmsSource,
    webhook_id: str,
    body: bytes,
    entry: VmsInboundLog,
) -> InboundResult:
    event = parse_envelope(body)
    event_type = event.type
    entry.event_type = event_type[:100]
    data = parse_data(event)
    kept_since = utcnow() - timedelta(days=settings.inbound_dedupe_days)
    await webhook_repository.purge_inbound_before(session, before=kept_since)
    await webhook_repository.purge_inbound_log_before(session, before=kept_since)
    fresh = await webhook_repository.claim_inbound_webhook(
        session, source=registered.source, webhook_id=webhook_id, event_type=event_type
    )
    if not fresh:
        INBOUND_WEBHOOKS.labels("duplicate").inc()
        return InboundResult(status="duplicate", webhook_id=webhook_id)
    outcome = (
        "ignored: unknown event type"
        if data is None
        else await HANDLERS[event_type][1](session, services, registered, data)
    )
    await webhook_repository.record_inbound_outcome(
        session, source=registered.source, webhook_id=webhook_id, outcome=outcome
    )
    INBOUND_WEBHOOKS.labels("processed").inc()
    return InboundResult(status="processed", webhook_id=webhook_id, outcome=outcome)


async def inbound_log(
    *, session: AsyncSession, source: str | None, status: int | None, page: PageParams
) -> tuple[list[VmsInboundLog], str | None]:
    rows = await webhook_repository.inbound_log(
        session, source=source, status=status, limit=page.limit, after_id=page.after_id
    )
    return page_of(rows, limit=page.limit)


def parse_envelope(body: bytes) -> VmsEvent:
    """The Standard Webhooks envelope (`type` and an object `data`); a bad one is a 400 or a 422.

    Nothing of a body reaches a column or a peer service before `parse_data` too: a bad body is a 400
    or a 422 naming the field, never stored.
    """
    try:
        return VmsEvent.model_validate_json(body)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise BadRequest("webhook body must be JSON with 'type' and an object 'data'") from exc
        raise _invalid(exc, under=()) from exc


def parse_data(event: VmsEvent) -> BaseModel | None:
    """The event's data validated by its type's schema, the one the API document shows (None for a type
    we do not handle)."""
    known = HANDLERS.get(event.type)
    if known is None:
        return None
    try:
        return known[0].model_validate({"type": event.type, "data": event.data}).data
    except ValidationError as exc:
        raise _invalid(exc, under=()) from exc


def _invalid(exc: ValidationError, *, under: tuple[str, ...]) -> RequestValidationError:
    # The same 422 problem the API answers for a bad body, with pointers into the webhook body.
    return RequestValidationError(
        [{**error, "loc": ("body", *under, *error["loc"])} for error in exc.errors()]
    )


async def _bound_vendor(session: AsyncSession, source: VmsSource, external_vms_id: str) -> Vendor:
    """The vendor an event names, if its source is bound to it; another vendor's is 404 like a missing one."""
    vendor = await vendor_repository.vendor_by_external_id(
        session, external_vms_id=external_vms_id, among=source.vendor_ids
    )
    if vendor is None:
        raise NotFound(f"VMS source {source.source!r} has no vendor with external id {external_vms_id!r}")
    return vendor


def _not_its_worker(source: VmsSource, email: str) -> NotFound:
    return NotFound(f"VMS source {source.source!r} has no worker {email}")


async def _vendor_updated(
    session: AsyncSession, services: ServiceClient, source: VmsSource, data: VendorUpdatedData
) -> str:
    vendor = await _bound_vendor(session, source, data.external_vms_id)
    profile = data.profile()
    changed = sorted(profile.model_fields_set)
    await vendors.update_vendor(session=session, vendor=vendor, data=profile)
    if data.status and data.status != vendor.status and data.status in VENDOR_STATUSES[vendor.status]:
        await vendors.move_vendor(session=session, vendor=vendor, to=data.status)
        changed.append("status")
    return f"vendor {vendor.id} updated: {', '.join(changed) or 'nothing'}"


async def _contributor_call(services: ServiceClient, method: str, path: str, **kw: Any) -> Any:
    """A peer call whose refusal must make the VMS retry: the 503 also rolls back the webhook-id claim."""
    response = await services.request("contributors", method, path, **kw)
    if response.status_code >= 500 or response.status_code in (401, 403, 405):
        raise ServiceUnavailable(
            f"the contributors service answered {response.status_code} to {method} {path}",
            service="contributors",
        )
    return response


async def _find_contributor(services: ServiceClient, email: str) -> dict | None:
    response = await _contributor_call(services, "GET", "/api/v1/contributors", params={"email": email})
    if response.status_code != 200:
        return None
    items = [i for i in response.json().get("items", []) if str(i.get("email", "")).lower() == email.lower()]
    return items[0] if items else None


async def _worker_onboarded(
    session: AsyncSession, services: ServiceClient, source: VmsSource, data: WorkerOnboardedData
) -> str:
    vendor = await _bound_vendor(session, source, data.vendor_external_id)
    profile = {
        **data.model_dump(mode="json", exclude={"vendor_external_id", "email"}),
        "vendor_id": vendor.id,
    }
    existing = await _find_contributor(services, data.email)
    if existing is not None:
        # Re-onboarding may update the vendor's own worker, never take over anyone else's.
        if existing.get("vendor_id") != vendor.id:
            raise _not_its_worker(source, data.email)
        return await _update_contributor(services, existing["id"], profile)
    body = {"email": data.email, **profile, "source_channel": "vms"}
    response = await _contributor_call(services, "POST", "/api/v1/contributors", json=body)
    if response.status_code == 409:
        return "contributor already exists"
    if response.status_code >= 300:
        # The VMS sent data our contributors service refuses; retrying the same message cannot help.
        return f"rejected by contributors ({response.status_code}): {response.text[:200]}"
    return f"contributor {response.json().get('id')} created"


async def _update_contributor(services: ServiceClient, contributor_id: int, profile: dict[str, Any]) -> str:
    """The VMS is the source of truth for its workers' profiles: apply what it sent, at the version read."""
    path = f"/api/v1/contributors/{contributor_id}"
    current = await _contributor_call(services, "GET", path)
    response = await _contributor_call(
        services, "PATCH", path, json=profile, headers={"If-Match": current.headers["etag"]}
    )
    if response.status_code == 412:
        # Changed between our read and write: a 503 makes the VMS send the message again.
        raise ServiceUnavailable(
            "the contributor changed while it was being updated; retry", service="contributors"
        )
    if response.status_code >= 300:
        return f"rejected by contributors ({response.status_code}): {response.text[:200]}"
    return f"contributor {contributor_id} updated"


async def _worker_offboarded(
    session: AsyncSession, services: ServiceClient, source: VmsSource, data: WorkerOffboardedData
) -> str:
    existing = await _find_contributor(services, data.email)
    if existing is None or existing.get("vendor_id") not in source.vendor_ids:
        raise _not_its_worker(source, data.email)
    response = await _contributor_call(
        services,
        "POST",
        f"/api/v1/contributors/{existing['id']}/transitions",
        json={"to": "offboarded", "reason": data.reason or "offboarded in the VMS"},
    )
    if response.status_code >= 300:
        return f"rejected by contributors ({response.status_code}): {response.text[:200]}"
    return f"contributor {existing['id']} offboarded"


async def _invoice_status_changed(
    session: AsyncSession, services: ServiceClient, source: VmsSource, data: InvoiceStatusChangedData
) -> str:
    vendor = await _bound_vendor(session, source, data.vendor_external_id)
    number, status = data.invoice_number, data.status
    invoice = await invoice_repository.invoice_by_number(session, vendor_id=vendor.id, number=number)
    if invoice is None:
        return f"ignored: vendor {vendor.id} has no invoice {number}"
    invoice = await lock_for_edit(session, invoice, "invoice")  # as an API move: after any in flight
    if status not in INVOICE_STATUSES.get(invoice.status, ()):
        return f"ignored: invoice {invoice.id} cannot move from {invoice.status} to {status}"
    # The API's own path: an approval is measured now (the tasks service down is a 503, so the VMS
    # retries), a VMS gives no override reason, so open discrepancies approve only the supported amount.
    await invoices.apply_move(
        session=session, services=services, invoice=invoice, to=status, note="changed by the VMS",
        override_reason=None, by=f"vms:{source.source}", channel="vms",
    )  # fmt: skip
    if status == "approved":
        amount = f"{invoice.approved_total} {invoice.currency}"
        return f"invoice {invoice.id} approved at {amount} ({invoice.approval_basis})"
    return f"invoice {invoice.id} moved to {status}"


Handler = Callable[[AsyncSession, ServiceClient, VmsSource, Any], Awaitable[str]]

# Each inbound event type with the schema its message must pass before its handler sees its data (the
# members of `VmsInboundEvent`, which the API document shows).
HANDLERS: dict[str, tuple[type[VmsEvent], Handler]] = {
    "vendor.updated": (VendorUpdatedEvent, _vendor_updated),
    "worker.onboarded": (WorkerOnboardedEvent, _worker_onboarded),
    "worker.offboarded": (WorkerOffboardedEvent, _worker_offboarded),
    "invoice.status_changed": (InvoiceStatusChangedEvent, _invoice_status_changed),
}


async def list_sources(
    *, session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[VmsSource], str | None]:
    """The VMS sources the caller may see, by id, a page at a time."""
    rows = await webhook_repository.list_vms_sources(session, principal=principal, page=page)
    return page_of(rows, limit=page.limit)
