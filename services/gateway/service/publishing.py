"""The events the gateway publishes: `user.updated`, the user as it is after a change, and `user.deleted`,
the user as it was when removed, each at its version."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import User, event_tables
from shared.events import Publisher

# The contributors service names users by a copy of their display name (a ticket's assignee and
# escalation lead, a follow-up's owner) and keeps it current from these events; a user disabled or
# deleted no longer holds its open tickets there.
ROUTES: dict[str, tuple[str, ...]] = {"user.updated": ("contributors",), "user.deleted": ("contributors",)}

publisher = Publisher(source="gateway", tables=event_tables, routes=ROUTES)


async def record_user_change(*, session: AsyncSession, user: User) -> None:
    """Move the user's version and publish `user.updated` in the change's transaction.

    Outbox rows can arrive out of order (a failed delivery is retried after later ones): receivers keep
    the newest version. The email stays out: no peer needs it from this event.
    """
    user.version += 1
    await session.flush()
    await publisher.publish(session, "user.updated", _as_published(user))


async def record_user_deletion(*, session: AsyncSession, user: User) -> None:
    """Publish `user.deleted` in the deletion's transaction, at a version after every change of the user."""
    await publisher.publish(session, "user.deleted", {**_as_published(user), "version": user.version + 1})


def _as_published(user: User) -> dict:
    return {
        "user_id": user.id,
        "version": user.version,
        "display_name": user.display_name,
        "roles": list(user.roles),
        "disabled": user.disabled,
        # With the version, the order of a user's events: a user created later is another one, even where
        # SQLite gave it a deleted user's id.
        "created_at": user.created_at.isoformat(),
    }
