"""Canned replies: the answers support sends again and again, kept once (placeholders: rules/inbox.py)."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import CannedReply
from services.contributors.repository import tickets as repository
from services.contributors.rules.access import actor_of
from services.contributors.schemas.tickets import CannedReplyCreate, CannedReplyUpdate
from shared.auth import Principal
from shared.db import flush_or_conflict, utcnow
from shared.errors import NotFound


async def create(*, session: AsyncSession, principal: Principal, data: CannedReplyCreate) -> CannedReply:
    canned = CannedReply(**data.model_dump(), created_by=actor_of(principal))
    session.add(canned)
    await flush_or_conflict(session, conflict=f"a canned reply named {data.name!r} exists")
    return canned


async def get(*, session: AsyncSession, canned_id: int, for_update: bool = False) -> CannedReply:
    canned = await repository.get_canned(session, canned_id=canned_id, for_update=for_update)
    if canned is None:
        raise NotFound(f"canned reply {canned_id} not found")
    return canned


async def update(*, session: AsyncSession, canned: CannedReply, data: CannedReplyUpdate) -> CannedReply:
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(canned, name, value)
    canned.version += 1
    canned.updated_at = utcnow()
    await flush_or_conflict(session, conflict=f"a canned reply named {canned.name!r} exists")
    return canned


async def list_page(*, session: AsyncSession, sort: str, cursor: str | None, limit: int) -> list[CannedReply]:
    return await repository.list_canned(session, sort=sort, cursor=cursor, limit=limit)


async def delete(*, session: AsyncSession, canned: CannedReply) -> None:
    await repository.delete_canned(session, canned=canned)
