"""Queries of API keys."""

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.gateway.models import ApiKey


async def add_api_key(*, session: AsyncSession, key: ApiKey) -> ApiKey:
    session.add(key)
    await session.flush()
    return key


async def api_key_facts(*, conn: AsyncConnection, key_hash: str) -> dict[str, Any] | None:
    stmt = select(ApiKey.id, ApiKey.roles, ApiKey.vendor_id, ApiKey.revoked_at, ApiKey.last_used_at).where(
        ApiKey.key_hash == key_hash
    )
    row = (await conn.execute(stmt)).mappings().one_or_none()
    return dict(row) if row else None


async def get_api_key(*, session: AsyncSession, key_id: int, for_update: bool = False) -> ApiKey | None:
    return await session.get(ApiKey, key_id, with_for_update=for_update or None)


async def list_api_keys(*, session: AsyncSession, limit: int, after_id: int | None) -> list[ApiKey]:
    stmt = select(ApiKey).order_by(ApiKey.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(ApiKey.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def touch_api_key(*, session: AsyncSession, key_id: int, at: datetime) -> None:
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at))
