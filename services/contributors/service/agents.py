"""Agents are gateway users: who an assignee or an escalation's lead is, asked of the gateway; the names
kept of them follow the gateway's renames (`user.updated`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.repository import agents as repository
from services.contributors.rules.access import CONTRIBUTOR_MANAGERS, SHIFT_NOTE_WRITERS
from services.contributors.service.contributors import field_error
from shared.errors import ServiceUnavailable
from shared.http import ServiceClient


@dataclass(frozen=True, slots=True)
class Agent:
    id: int
    display_name: str
    email: str


async def find_user(services: ServiceClient, user_id: int) -> dict | None:
    """The gateway's record of a user (display name, email, roles, disabled), or None when there is none."""
    response = await services.request("gateway", "GET", f"/internal/users/{user_id}")
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise ServiceUnavailable(
            f"the gateway answered {response.status_code} for user {user_id}", service="gateway"
        )
    return response.json()


async def _enabled_user_with(
    services: ServiceClient,
    user_id: int,
    *,
    session: AsyncSession,
    field: str,
    roles: tuple[str, ...],
    who: str,
) -> Agent:
    user = await find_user(services, user_id)
    if user is None:
        raise field_error(field, f"no user {user_id}")
    if user["disabled"]:
        raise field_error(field, f"user {user_id} is disabled")
    if not set(user["roles"]) & set(roles):
        raise field_error(field, f"user {user_id} is not {who} ({', '.join(roles)})")
    # A rename committed after the gateway answered may already be here: name the user by the newer one.
    name, _ = await repository.newest_user_name(
        session,
        user_id=user["id"],
        display_name=user["display_name"],
        version=user["version"],
        created_at=datetime.fromisoformat(user["created_at"]),
    )
    return Agent(id=user["id"], display_name=name, email=user["email"])


async def support_agent(services: ServiceClient, user_id: int, *, session: AsyncSession, field: str) -> Agent:
    """The enabled support-staff user `user_id` (admin, ops or support), else a 422 naming `field`."""
    return await _enabled_user_with(
        services, user_id, session=session, field=field, roles=CONTRIBUTOR_MANAGERS, who="support staff"
    )


async def follow_up_owner(
    services: ServiceClient, user_id: int, *, session: AsyncSession, field: str
) -> Agent:
    """The enabled user `user_id` who may work shift-note follow-ups (a shift-note writer), else a 422
    naming `field`."""
    return await _enabled_user_with(
        services, user_id, session=session, field=field, roles=SHIFT_NOTE_WRITERS, who="a shift-note writer"
    )


async def rename_user(
    *, session: AsyncSession, user_id: int, display_name: str, version: int, created_at: datetime
) -> bool:
    """Name the user by its newest display name wherever it is named: `display_name` unless a newer one
    is on record (an older event arriving late changes nothing). Whether this is the newest."""
    name, newest = await repository.newest_user_name(
        session, user_id=user_id, display_name=display_name, version=version, created_at=created_at
    )
    await repository.rename_user(session, user_id=user_id, display_name=name)
    return newest


async def forget_deleted_user(*, session: AsyncSession, user_id: int) -> None:
    """History keeps a deleted user's last name, no longer tied to an id another user may get."""
    await repository.unlink_history(session, user_id=user_id)
