"""Queries of the names gateway users go by here: the newest one on record, and every copy of it."""

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import (
    ShiftNoteFollowUp,
    ShiftNoteFollowUpChange,
    Ticket,
    TicketEvent,
    UserName,
)
from shared.db import dialect_of

# History rows that name a user: a ticket's or follow-up's trail names the user as the user is now
# called, and a pseudonymised user by the placeholder only.
HISTORY_NAME_COPIES = (
    (TicketEvent, TicketEvent.from_user_id, TicketEvent.from_value),
    (TicketEvent, TicketEvent.to_user_id, TicketEvent.to_value),
    (ShiftNoteFollowUpChange, ShiftNoteFollowUpChange.from_user_id, ShiftNoteFollowUpChange.from_value),
    (ShiftNoteFollowUpChange, ShiftNoteFollowUpChange.to_user_id, ShiftNoteFollowUpChange.to_value),
)
# Where a user is named by a copy of its display name: (table, the user id column, the name column).
NAME_COPIES = (
    (Ticket, Ticket.assignee_id, Ticket.assignee),
    (Ticket, Ticket.escalated_to_id, Ticket.escalated_to),
    (ShiftNoteFollowUp, ShiftNoteFollowUp.owner_id, ShiftNoteFollowUp.owner),
    *HISTORY_NAME_COPIES,
)


async def newest_user_name(
    session: AsyncSession, *, user_id: int, display_name: str, version: int, created_at: datetime
) -> tuple[str, bool]:
    """Record the user's name at `version` unless a newer one is on record; the newest name, and whether
    it is this one. Newer: a later version of the same user, or a user created later under the same id.

    The upsert locks the user's row until commit, so a rename and an assignment naming the same user run
    one after the other: whichever commits second sees the other's name and version.
    """
    table = UserName.__table__
    module = postgresql if dialect_of(session) == "postgresql" else sqlite
    stmt = module.insert(table).values(
        user_id=user_id, display_name=display_name, version=version, user_created_at=created_at
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.user_id],
        set_={
            "display_name": stmt.excluded.display_name,
            "version": stmt.excluded.version,
            "user_created_at": stmt.excluded.user_created_at,
        },
        where=or_(
            table.c.user_created_at < stmt.excluded.user_created_at,
            and_(
                table.c.user_created_at == stmt.excluded.user_created_at,
                table.c.version < stmt.excluded.version,
            ),
        ),
    )
    await session.execute(stmt)
    newest = (await session.execute(select(table).where(table.c.user_id == user_id))).one()
    return newest.display_name, (newest.version, newest.user_created_at) == (version, created_at)


async def rename_user(session: AsyncSession, *, user_id: int, display_name: str) -> None:
    """Every copy of the user's name becomes `display_name`; a ticket renamed in takes a new version (its
    ETag: what a client holds no longer shows it as it is)."""
    for model, id_column, name_column in NAME_COPIES:
        values: dict = {name_column.key: display_name}
        if model is Ticket:
            values["version"] = Ticket.version + 1
        await session.execute(
            update(model)
            .where(id_column == user_id, name_column != display_name)
            .values(values)
            .execution_options(synchronize_session=False)
        )


async def unlink_history(session: AsyncSession, *, user_id: int) -> None:
    """A deleted user's history rows keep the name they show and lose the id: SQLite gives a deleted
    user's id to the next user, whose renames must not rewrite the old user's history."""
    for model, id_column, _name_column in HISTORY_NAME_COPIES:
        await session.execute(
            update(model)
            .where(id_column == user_id)
            .values({id_column.key: None})
            .execution_options(synchronize_session=False)
        )
