"""Events the vendors service publishes to peers and receives from them.

Published to tasks: `vendor.status_changed` (a vendor not active gets no new work; a terminated one's
leases end) and `budget.cap_changed` (the units a vendor's hard cap buys: `next` stops at it). Received: contributor changes, wellness and ticket news, forwarded to webhook subscribers. contract.activated,
invoice.submitted, invoice.approved, scorecard.published and budget.alert go to outbound webhook
subscribers through its own delivery table (service/subscriptions.emit), written in the same
transaction as the change.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import event_tables
from services.vendors.service import subscriptions
from shared.events import Event, Publisher

ROUTES: dict[str, tuple[str, ...]] = {"vendor.status_changed": ("tasks",), "budget.cap_changed": ("tasks",)}
publisher = Publisher(source="vendors", tables=event_tables, routes=ROUTES)


async def forward_contributor_upserted(session: AsyncSession, event: Event) -> None:
    await subscriptions.emit(session, "contributor.upserted", event.data)


async def forward_contributor_erased(session: AsyncSession, event: Event) -> None:
    # An erased person leaves nothing behind but the id: no personal data goes out, even if sent.
    await subscriptions.emit(session, "contributor.erased", {"contributor_id": event.data["contributor_id"]})


async def forward_news(session: AsyncSession, event: Event) -> None:
    """Wellness news (support asked, break started, cap reached) and support news (a ticket escalated, an
    SLA target near or missed) carry ids, priorities and times only."""
    await subscriptions.emit(session, event.type, event.data)


HANDLERS = {
    "contributor.upserted": forward_contributor_upserted,
    "contributor.erased": forward_contributor_erased,
    "wellness.support_requested": forward_news,
    "wellness.break_started": forward_news,
    "wellness.cap_reached": forward_news,
    "ticket.escalated": forward_news,
    "ticket.sla_warning": forward_news,
    "ticket.sla_breached": forward_news,
}
