"""Queries of users."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import ApiKey, AuditEvent, AuthSession, RefreshToken, User
from shared.db import dialect_of, flush_or_conflict
from shared.privacy import rows_where

# The key of the PostgreSQL advisory lock every change that may take away an enabled admin queues on
# (any number, this database's own).
ADMIN_CHANGES_LOCK = 7_331_001


async def get_user(*, session: AsyncSession, user_id: int, for_update: bool = False) -> User | None:
    return await session.get(User, user_id, with_for_update=for_update or None)


async def get_user_by_email(*, session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email.lower()))).scalar_one_or_none()


async def list_users(*, session: AsyncSession, limit: int, after_id: int | None) -> list[User]:
    stmt = select(User).order_by(User.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(User.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def enabled_users(*, session: AsyncSession) -> list[User]:
    stmt = select(User).where(User.disabled.is_(False)).order_by(User.display_name, User.id)
    return list((await session.execute(stmt)).scalars())


async def add_user(*, session: AsyncSession, user: User) -> User:
    session.add(user)
    await flush_or_conflict(session, conflict=f"a user with email {user.email} already exists")
    return user


async def lock_admin_changes(*, session: AsyncSession) -> None:
    """Hold, until commit, the one lock changes that may take away an enabled admin queue on: two admins
    disabling each other each lock only their own target, so each would count the other as the admin
    left. SQLite's write transactions already run one at a time."""
    if dialect_of(session) == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADMIN_CHANGES_LOCK})


async def enabled_admin_ids(*, session: AsyncSession) -> list[int]:
    # Roles are a JSON list; the filter on them runs here, the database narrows to enabled users.
    rows = await session.execute(select(User.id, User.roles).where(User.disabled.is_(False)))
    return [user_id for user_id, roles in rows if "admin" in roles]


async def users_of_contributor(*, session: AsyncSession, contributor_id: int) -> list[User]:
    stmt = select(User).where(User.contributor_id == contributor_id).order_by(User.id).with_for_update()
    return list((await session.execute(stmt)).scalars())


async def delete_user(*, session: AsyncSession, user: User) -> None:
    await session.execute(update(ApiKey).where(ApiKey.created_by == user.id).values(created_by=None))
    await session.delete(user)
    await session.flush()


async def personal_rows(
    session: AsyncSession, *, contributor_id: int, emails: list[str]
) -> dict[str, Sequence[Any]]:
    """Every row of the gateway about the contributor, by table (its DSAR export): its users, their
    logins and refresh tokens, the API keys they made, and the audit trail by, on or naming them."""
    users = await rows_where(session, User, User.contributor_id == contributor_id)
    ids = [u.id for u in users]
    subjects = [f"user:{i}" for i in ids]
    named = {e.lower() for e in emails} | {u.email for u in users}
    return {
        "users": users,
        "auth_sessions": await rows_where(session, AuthSession, AuthSession.user_id.in_(ids)),
        "refresh_tokens": await rows_where(session, RefreshToken, RefreshToken.user_id.in_(ids)),
        "api_keys": await rows_where(session, ApiKey, ApiKey.created_by.in_(ids)),
        "audit_events": await rows_where(
            session,
            AuditEvent,
            or_(
                AuditEvent.actor.in_(subjects),
                AuditEvent.target.in_(subjects),
                func.lower(AuditEvent.target).in_(named),
            ),
        ),
    }
