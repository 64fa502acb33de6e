"""What the gateway does on peers' events: a contributor who leaves loses the users linked to it.

`contributor.upserted` with status `offboarded` and `contributor.erased` disable every user linked to
the contributor and revoke their login sessions (their access tokens stop at the next request, the
caller cache being told after commit); erasure also pseudonymises their email. Every other upsert
changes nothing here. What the gateway publishes (`user.updated`) is in service/publishing.py.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.service.users import disable_contributor_users
from shared.events import Event, EventHandler


async def apply_contributor_upserted(session: AsyncSession, event: Event) -> None:
    if event.data.get("status") == "offboarded":
        await disable_contributor_users(
            session=session, contributor_id=event.data["contributor_id"], cause="contributor offboarded"
        )


async def apply_contributor_erased(session: AsyncSession, event: Event) -> None:
    await disable_contributor_users(
        session=session, contributor_id=event.data["contributor_id"], cause="contributor erased", erase=True
    )


HANDLERS: dict[str, EventHandler] = {
    "contributor.upserted": apply_contributor_upserted,
    "contributor.erased": apply_contributor_erased,
}
