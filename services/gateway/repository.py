"""Every query of the gateway."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import RefreshToken, User
from shared.errors import Conflict


async def get_user(session: AsyncSession, *, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_email(session: AsyncSession, *, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email.lower()))).scalar_one_or_none()


async def list_users(session: AsyncSession, *, limit: int, after_id: int | None) -> list[User]:
    stmt = select(User).order_by(User.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(User.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def count_users(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(User))).scalar_one()


async def add_user(session: AsyncSession, user: User) -> User:
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a user with email {user.email} already exists") from exc
    return user


async def add_refresh_token(session: AsyncSession, token: RefreshToken) -> None:
    session.add(token)
    await session.flush()


async def get_refresh_token_for_update(session: AsyncSession, *, token_hash: str) -> RefreshToken | None:
    stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def mark_refresh_token_used(session: AsyncSession, *, token_id: int, at: datetime) -> bool:
    """Conditional update, so two concurrent refreshes with one token cannot both succeed."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=at)
    )
    return result.rowcount == 1


async def revoke_refresh_family(session: AsyncSession, *, family_id: str, at: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )
