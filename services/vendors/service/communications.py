"""Partner communications: interactions with vendors and prospects, and their follow-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Communication
from services.vendors.repository import communications as communication_repository
from services.vendors.schemas.communications import CommunicationCreate, CommunicationUpdate
from services.vendors.service.common import actor, found
from services.vendors.service.vendors import get_vendor
from shared.auth import Principal
from shared.db import utcnow
from shared.pagination import PageParams, page_of
from shared.privacy import PersonSought, as_records


async def log_communication(
    *, session: AsyncSession, principal: Principal, data: CommunicationCreate
) -> Communication:
    if data.vendor_id is not None:
        await get_vendor(session=session, principal=principal, vendor_id=data.vendor_id)
    row = Communication(**data.model_dump(), recorded_by=actor(principal))
    session.add(row)
    await session.flush()
    return row


async def get_communication(
    *, session: AsyncSession, principal: Principal, communication_id: int
) -> Communication:
    row = await communication_repository.get_communication(
        session, principal=principal, communication_id=communication_id
    )
    return found(row, "communication", communication_id)


async def update_communication(
    *, session: AsyncSession, communication: Communication, data: CommunicationUpdate
) -> Communication:
    """Reschedule a follow-up or mark it done (done again: the first time is kept)."""
    values = data.model_dump(exclude_unset=True)
    if "follow_up_due_at" in values:
        communication.follow_up_due_at = values["follow_up_due_at"]
    if values.get("follow_up_done") is True and communication.follow_up_done_at is None:
        communication.follow_up_done_at = utcnow()
    elif values.get("follow_up_done") is False:
        communication.follow_up_done_at = None
    await session.flush()
    return communication


async def list_communications(
    *, session: AsyncSession, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Communication], int | None]:
    """Filters: vendor_id, channel (None: any)."""
    rows = await communication_repository.list_communications(
        session, principal=principal, page=page, **filters
    )
    return page_of(rows, limit=page.limit)


async def list_follow_ups_due(
    *, session: AsyncSession, principal: Principal, page: PageParams, before: datetime | None
) -> tuple[list[Communication], int | None]:
    """Open follow-ups due at or before `before` (default: now), oldest first by id."""
    rows = await communication_repository.list_follow_ups_due(
        session, principal=principal, page=page, before=before or utcnow()
    )
    return page_of(rows, limit=page.limit)


async def erase_mentions(*, session: AsyncSession, mentions: list[str], replacement: str) -> int:
    """An erased contributor's name and email leave the communications that mention them."""
    return await communication_repository.erase_mentions(session, mentions=mentions, replacement=replacement)


async def personal_data(*, session: AsyncSession, person: PersonSought) -> dict:
    """This service's part of a contributor's DSAR export: the partner communications that mention it."""
    rows = await communication_repository.mentioning_person(session, mentions=person.mentions)
    return {"partner_communications": as_records(rows)}
