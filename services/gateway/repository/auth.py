"""Queries of login sessions, their refresh tokens, and the facts each request re-checks."""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import AuthSession, RefreshToken
from shared.rawsql import RawConnection, RawQuery

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


async def caller_facts(*, conn: RawConnection, user_id: int, session_id: str) -> dict[str, Any] | None:
    """What each request must re-check: the user is enabled and its login session not revoked."""
    return await conn.fetchrow(_CALLER_FACTS, {"user_id": user_id, "session_id": session_id})


async def add_auth_session(*, session: AsyncSession, auth_session: AuthSession) -> None:
    session.add(auth_session)
    await session.flush()


async def revoke_auth_session(*, session: AsyncSession, session_id: str, at: datetime) -> bool:
    """End the login session and its refresh tokens; whether this ended it (False: it had ended already,
    perhaps by a request racing this one: the row's lock makes the second find it revoked)."""
    ended = await session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == session_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return ended.rowcount == 1


async def add_refresh_token(*, session: AsyncSession, token: RefreshToken) -> None:
    session.add(token)
    await session.flush()


async def get_refresh_token(*, session: AsyncSession, token_hash: str) -> RefreshToken | None:
    stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    return (await session.execute(stmt)).scalar_one_or_none()


async def mark_refresh_token_used(*, session: AsyncSession, token_id: int, at: datetime) -> bool:
    """Conditional update, so two concurrent refreshes with one token cannot both succeed."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=at)
    )
    return result.rowcount == 1


async def revoke_user_sessions(*, session: AsyncSession, user_id: int, at: datetime) -> None:
    """End every login session of the user, and their refresh tokens."""
    live = select(AuthSession.id).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    for (session_id,) in (await session.execute(live)).all():
        await revoke_auth_session(session=session, session_id=session_id, at=at)


async def delete_user_sessions(*, session: AsyncSession, user_id: int) -> None:
    """Remove every login session of the user with its refresh tokens (the user is being deleted)."""
    await session.execute(delete(RefreshToken).where(RefreshToken.user_id == user_id))
    await session.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
