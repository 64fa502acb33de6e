"""Every query on shift notes and their follow-ups (staff-only records: no per-caller narrowing)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import ShiftNote, ShiftNoteFollowUp, ShiftNoteFollowUpChange
from shared.pagination import Keyset, SortColumn, as_datetime

SHIFT_NOTE_KEYSET = Keyset(
    columns={
        "id": SortColumn(ShiftNote.id, int),
        "created_at": SortColumn(ShiftNote.created_at, as_datetime),
    },
    id_column=ShiftNote.id,
)


async def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)
    await session.flush()


async def get(session: AsyncSession, *, note_id: int) -> ShiftNote | None:
    return await session.get(ShiftNote, note_id)


async def get_follow_up(
    session: AsyncSession, *, note_id: int, follow_up_id: int, for_update: bool = False
) -> ShiftNoteFollowUp | None:
    stmt = select(ShiftNoteFollowUp).where(
        ShiftNoteFollowUp.id == follow_up_id, ShiftNoteFollowUp.note_id == note_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_notes(
    session: AsyncSession,
    *,
    team: str | None,
    since: datetime | None,
    until: datetime | None,
    sort: str,
    cursor: str | None,
    limit: int,
) -> list[ShiftNote]:
    stmt = select(ShiftNote)
    if team is not None:
        stmt = stmt.where(ShiftNote.team == team)
    if since is not None:
        stmt = stmt.where(ShiftNote.created_at >= since)
    if until is not None:
        stmt = stmt.where(ShiftNote.created_at < until)
    stmt = SHIFT_NOTE_KEYSET.apply(stmt, sort=sort, cursor=cursor, limit=limit)
    return list((await session.execute(stmt)).scalars())


async def follow_ups_of(session: AsyncSession, *, note_ids: Sequence[int]) -> list[ShiftNoteFollowUp]:
    if not note_ids:
        return []
    stmt = (
        select(ShiftNoteFollowUp)
        .where(ShiftNoteFollowUp.note_id.in_(note_ids))
        .order_by(ShiftNoteFollowUp.note_id, ShiftNoteFollowUp.id)
    )
    return list((await session.execute(stmt)).scalars())


async def follow_up_changes_of(session: AsyncSession, *, note_id: int) -> list[ShiftNoteFollowUpChange]:
    stmt = (
        select(ShiftNoteFollowUpChange)
        .where(ShiftNoteFollowUpChange.note_id == note_id)
        .order_by(ShiftNoteFollowUpChange.id)
    )
    return list((await session.execute(stmt)).scalars())


async def notes_written(
    session: AsyncSession, *, since: datetime, until: datetime, limit: int
) -> list[ShiftNote]:
    stmt = (
        select(ShiftNote)
        .where(ShiftNote.created_at >= since, ShiftNote.created_at < until)
        .order_by(ShiftNote.created_at, ShiftNote.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def notes_per_team(session: AsyncSession, *, since: datetime, until: datetime) -> dict[str, int]:
    stmt = (
        select(ShiftNote.team, func.count())
        .where(ShiftNote.created_at >= since, ShiftNote.created_at < until)
        .group_by(ShiftNote.team)
    )
    return {team: n for team, n in (await session.execute(stmt)).all()}


async def open_follow_ups_owned_by(
    session: AsyncSession, *, user_id: int
) -> list[tuple[ShiftNoteFollowUp, str]]:
    """The user's follow-ups not done yet, locked, each with its note's team."""
    stmt = (
        select(ShiftNoteFollowUp, ShiftNote.team)
        .join(ShiftNote, ShiftNote.id == ShiftNoteFollowUp.note_id)
        .where(ShiftNoteFollowUp.owner_id == user_id, ShiftNoteFollowUp.done_at.is_(None))
        .order_by(ShiftNoteFollowUp.id)
        .with_for_update(of=ShiftNoteFollowUp)
    )
    return [(row, team) for row, team in (await session.execute(stmt)).all()]


async def pending_follow_ups(session: AsyncSession, *, limit: int) -> list[tuple[ShiftNoteFollowUp, str]]:
    """Open follow-ups with their note's team: the soonest due first, undated ones last."""
    stmt = (
        select(ShiftNoteFollowUp, ShiftNote.team)
        .join(ShiftNote, ShiftNote.id == ShiftNoteFollowUp.note_id)
        .where(ShiftNoteFollowUp.done_at.is_(None))
        .order_by(ShiftNoteFollowUp.due_at.is_(None), ShiftNoteFollowUp.due_at, ShiftNoteFollowUp.id)
        .limit(limit)
    )
    return [(row, team) for row, team in (await session.execute(stmt)).all()]


async def pending_follow_up_counts(session: AsyncSession, *, now: datetime) -> tuple[int, int]:
    """(pending, of which overdue at `now`)."""
    pending = select(func.count()).select_from(ShiftNoteFollowUp).where(ShiftNoteFollowUp.done_at.is_(None))
    late = pending.where(ShiftNoteFollowUp.due_at < now)
    return (
        int((await session.execute(pending)).scalar() or 0),
        int((await session.execute(late)).scalar() or 0),
    )
