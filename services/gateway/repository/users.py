"""Queries of users."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import ApiKey, User
from shared.db import flush_or_conflict


async def get_user(*, session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_email(*, session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email.lower()))).scalar_one_or_none()


async def list_users(*, session: AsyncSession, limit: int, after_id: int | None) -> list[User]:
    stmt = select(User).order_by(User.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(User.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def add_user(*, session: AsyncSession, user: User) -> User:
    session.add(user)
    await flush_or_conflict(session, conflict=f"a user with email {user.email} already exists")
    return user


async def enabled_admin_ids(*, session: AsyncSession) -> list[int]:
    # Roles are a JSON list; the filter on them runs here, the database narrows to enabled users.
    rows = await session.execute(select(User.id, User.roles).where(User.disabled.is_(False)))
    return [user_id for user_id, roles in rows if "admin" in roles]


async def users_of_contributor(*, session: AsyncSession, contributor_id: int) -> list[User]:
    stmt = select(User).where(User.contributor_id == contributor_id).order_by(User.id)
    return list((await session.execute(stmt)).scalars())


async def delete_user(*, session: AsyncSession, user: User) -> None:
    await session.execute(update(ApiKey).where(ApiKey.created_by == user.id).values(created_by=None))
    await session.delete(user)
    await session.flush()
