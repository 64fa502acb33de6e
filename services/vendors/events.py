"""Events the vendors service receives from peers (contributor changes, forwarded to webhook subscribers).

It publishes no events to other services: contract.activated, invoice.submitted, invoice.approved,
scorecard.published and budget.alert go to outbound webhook subscribers through its own delivery
table (service/subscriptions.emit), written in the same transaction as the change.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.service import subscriptions
from shared.events import Event

ROUTES: dict[str, tuple[str, ...]] = {}


async def forward_contributor_upserted(session: AsyncSession, event: Event) -> None:
    await subscriptions.emit(session, "contributor.upserted", event.data)


async def forward_contributor_erased(session: AsyncSession, event: Event) -> None:
    # An erased person leaves nothing behind but the id: no personal data goes out, even if sent.
    await subscriptions.emit(session, "contributor.erased", {"contributor_id": event.data["contributor_id"]})


HANDLERS = {
    "contributor.upserted": forward_contributor_upserted,
    "contributor.erased": forward_contributor_erased,
}
