"""Every query of the gateway."""

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.gateway.models import ApiKey, AuditEvent, AuthSession, RefreshToken, User
from shared.db import flush_or_conflict
from shared.rawsql import RawConnection, RawQuery


async def get_user(session: AsyncSession, *, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_email(session: AsyncSession, *, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email.lower()))).scalar_one_or_none()


async def list_users(session: AsyncSession, *, limit: int, after_id: int | None) -> list[User]:
    stmt = select(User).order_by(User.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(User.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def add_user(session: AsyncSession, user: User) -> User:
    session.add(user)
    await flush_or_conflict(session, conflict=f"a user with email {user.email} already exists")
    return user


async def enabled_admin_ids(session: AsyncSession) -> list[int]:
    # Roles are a JSON list; the filter on them runs here, the database narrows to enabled users.
    rows = await session.execute(select(User.id, User.roles).where(User.disabled.is_(False)))
    return [user_id for user_id, roles in rows if "admin" in roles]


# Runs on every proxied request: on the driver connection, where it costs a fraction of a Core query.
_CALLER_FACTS = RawQuery(
    """
    SELECT u.roles, u.vendor_id, u.contributor_id, u.disabled, s.revoked_at
    FROM users u JOIN auth_sessions s ON s.user_id = u.id AND s.id = :session_id
    WHERE u.id = :user_id
    """,
    json_cols=("roles",),
    time_cols=("revoked_at",),
    bool_cols=("disabled",),
)


async def caller_facts(conn: RawConnection, *, user_id: int, session_id: str) -> dict[str, Any] | None:
    """What each request must re-check: the user is enabled and its login session not revoked."""
    return await conn.fetchrow(_CALLER_FACTS, {"user_id": user_id, "session_id": session_id})


async def add_auth_session(session: AsyncSession, auth_session: AuthSession) -> None:
    session.add(auth_session)
    await session.flush()


async def revoke_auth_session(session: AsyncSession, *, session_id: str, at: datetime) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == session_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def add_refresh_token(session: AsyncSession, token: RefreshToken) -> None:
    session.add(token)
    await session.flush()


async def get_refresh_token(session: AsyncSession, *, token_hash: str) -> RefreshToken | None:
    stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    return (await session.execute(stmt)).scalar_one_or_none()


async def mark_refresh_token_used(session: AsyncSession, *, token_id: int, at: datetime) -> bool:
    """Conditional update, so two concurrent refreshes with one token cannot both succeed."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=at)
    )
    return result.rowcount == 1


async def add_api_key(session: AsyncSession, key: ApiKey) -> ApiKey:
    session.add(key)
    await session.flush()
    return key


async def api_key_facts(conn: AsyncConnection, *, key_hash: str) -> dict[str, Any] | None:
    stmt = select(ApiKey.id, ApiKey.roles, ApiKey.vendor_id, ApiKey.revoked_at, ApiKey.last_used_at).where(
        ApiKey.key_hash == key_hash
    )
    row = (await conn.execute(stmt)).mappings().one_or_none()
    return dict(row) if row else None


async def get_api_key(session: AsyncSession, *, key_id: int) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def list_api_keys(session: AsyncSession, *, limit: int, after_id: int | None) -> list[ApiKey]:
    stmt = select(ApiKey).order_by(ApiKey.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(ApiKey.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def touch_api_key(session: AsyncSession, *, key_id: int, at: datetime) -> None:
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at))


async def add_audit_event(session: AsyncSession, event: AuditEvent) -> None:
    session.add(event)
    await session.flush()


async def list_audit_events(
    session: AsyncSession,
    *,
    limit: int,
    after_id: int | None,
    actor: str | None,
    action: str | None,
    since: datetime | None,
) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(AuditEvent.id > after_id)
    if actor is not None:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    return list((await session.execute(stmt)).scalars())
