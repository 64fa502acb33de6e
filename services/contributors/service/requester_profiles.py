"""Requester profiles: who writes to support from which handles, and the contributor they are, if any.

Staff keep them through the API; the email and Discord channels find (or start) one per sender, so a
link made once (this Discord user is contributor 7) holds for every later ticket.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import RequesterProfile
from services.contributors.repository import contributors as contributor_repository
from services.contributors.repository import requester_profiles as repository
from services.contributors.rules.discord import DiscordUser
from services.contributors.schemas.requester_profiles import (
    RequesterProfileCreate,
    RequesterProfileFilters,
    RequesterProfileUpdate,
)
from services.contributors.service.contributors import field_error
from shared.db import flush_or_conflict, insert_ignoring_conflicts, utcnow
from shared.errors import NotFound

HANDLE_TAKEN = "another requester profile already has this email or Discord user"


async def _check_contributor(session: AsyncSession, contributor_id: int | None) -> None:
    if (
        contributor_id is not None
        and await contributor_repository.get(session, contributor_id=contributor_id) is None
    ):
        raise field_error("contributor_id", f"no contributor {contributor_id}")


async def create_profile(*, session: AsyncSession, data: RequesterProfileCreate) -> RequesterProfile:
    """A profile with its handles; an email or Discord user belongs to one profile only (409)."""
    values = data.model_dump()
    await _check_contributor(session, values["contributor_id"])
    if values["email"] is not None:
        values["email"] = values["email"].lower()
    now = utcnow()
    profile = RequesterProfile(**values, created_at=now, updated_at=now)
    session.add(profile)
    await flush_or_conflict(session, conflict=HANDLE_TAKEN)
    return profile


async def update_profile(
    *, session: AsyncSession, profile: RequesterProfile, data: RequesterProfileUpdate
) -> RequesterProfile:
    changes = data.model_dump(exclude_unset=True)
    if "contributor_id" in changes:
        await _check_contributor(session, changes["contributor_id"])
    if changes.get("email") is not None:
        changes["email"] = changes["email"].lower()
    changes = {k: v for k, v in changes.items() if getattr(profile, k) != v}
    if not changes:
        return profile
    for name, value in changes.items():
        setattr(profile, name, value)
    profile.version += 1
    profile.updated_at = utcnow()
    await flush_or_conflict(session, conflict=HANDLE_TAKEN)
    return profile


async def get_profile(
    *, session: AsyncSession, profile_id: int, for_update: bool = False
) -> RequesterProfile:
    profile = await repository.get(session, profile_id=profile_id, for_update=for_update)
    if profile is None:
        raise NotFound(f"requester profile {profile_id} not found")
    return profile


async def list_profiles(
    *, session: AsyncSession, filters: RequesterProfileFilters, sort: str, cursor: str | None, limit: int
) -> list[RequesterProfile]:
    return await repository.list_filtered(session, filters=filters, sort=sort, cursor=cursor, limit=limit)


async def profile_for_email(*, session: AsyncSession, email: str, name: str | None) -> RequesterProfile:
    """The sender's profile, started on first contact and linked to the contributor with that address."""
    profile = await repository.by_email(session, email=email)
    if profile is None:
        now = utcnow()
        contributor_id = await repository.contributor_id_by_email(session, email=email)
        # Two replicas may meet the same new sender at once: the second insert is a no-op.
        await insert_ignoring_conflicts(
            session,
            RequesterProfile.__table__,
            {"email": email, "display_name": name, "contributor_id": contributor_id, "version": 1,
             "created_at": now, "updated_at": now},
        )  # fmt: skip
        profile = await repository.by_email(session, email=email)
        assert profile is not None
    elif profile.contributor_id is None:
        # A contributor registered since the first contact is linked now.
        profile.contributor_id = await repository.contributor_id_by_email(session, email=email)
    return profile


async def profile_for_discord_user(*, session: AsyncSession, user: DiscordUser) -> RequesterProfile:
    """The Discord user's profile, started on first contact; its username follows the latest seen."""
    profile = await repository.by_discord_user(session, discord_user_id=user.id)
    if profile is None:
        now = utcnow()
        await insert_ignoring_conflicts(
            session,
            RequesterProfile.__table__,
            {"discord_user_id": user.id, "discord_username": user.username, "display_name": user.display_name,
             "version": 1, "created_at": now, "updated_at": now},
        )  # fmt: skip
        profile = await repository.by_discord_user(session, discord_user_id=user.id)
        assert profile is not None
    elif profile.discord_username != user.username:
        profile.discord_username = user.username
        profile.updated_at = utcnow()
    return profile
