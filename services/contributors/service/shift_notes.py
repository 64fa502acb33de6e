"""Rules of shift notes: a note is written once for a team; its follow-ups are done (or reopened) by anyone on staff."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import ShiftNote, ShiftNoteFollowUp
from services.contributors.repository import shift_notes as repository
from services.contributors.rules.access import actor_of
from services.contributors.schemas.shift_notes import FollowUpRead, ShiftNoteCreate, ShiftNoteRead
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import NotFound


def follow_up_read(row: ShiftNoteFollowUp) -> FollowUpRead:
    return FollowUpRead.model_validate(
        {**row.model_dump(), "done": row.done_at is not None}, from_attributes=False
    )


def note_read(note: ShiftNote, follow_ups: list[ShiftNoteFollowUp]) -> ShiftNoteRead:
    return ShiftNoteRead(
        id=note.id,
        team=note.team,
        subject=note.subject,
        body=note.body,
        author=note.author,
        created_at=note.created_at,
        follow_ups=[follow_up_read(f) for f in follow_ups],
    )


async def write_note(*, session: AsyncSession, principal: Principal, data: ShiftNoteCreate) -> ShiftNoteRead:
    """Record the note and its follow-ups, authored by the caller."""
    now = utcnow()
    note = ShiftNote(
        team=data.team, subject=data.subject, body=data.body, author=actor_of(principal), created_at=now
    )
    await repository.add(session, note)
    follow_ups = [
        ShiftNoteFollowUp(
            note_id=note.id, description=f.description, owner=f.owner, due_at=f.due_at, created_at=now
        )
        for f in data.follow_ups
    ]
    if follow_ups:
        await repository.add(session, *follow_ups)
    return note_read(note, follow_ups)


async def get_note(*, session: AsyncSession, note_id: int) -> ShiftNoteRead:
    note = await repository.get(session, note_id=note_id)
    if note is None:
        raise NotFound(f"shift note {note_id} not found")
    return note_read(note, await repository.follow_ups_of(session, note_ids=[note.id]))


async def list_notes(
    *,
    session: AsyncSession,
    team: str | None,
    since: datetime | None,
    until: datetime | None,
    sort: str,
    cursor: str | None,
    limit: int,
) -> tuple[list[ShiftNoteRead], str | None]:
    rows = await repository.list_notes(
        session, team=team, since=since, until=until, sort=sort, cursor=cursor, limit=limit
    )
    notes, next_cursor = repository.SHIFT_NOTE_KEYSET.page(rows, sort=sort, limit=limit)
    by_note: dict[int, list[ShiftNoteFollowUp]] = {n.id: [] for n in notes}
    for follow_up in await repository.follow_ups_of(session, note_ids=list(by_note)):
        by_note[follow_up.note_id].append(follow_up)
    return [note_read(n, by_note[n.id]) for n in notes], next_cursor


async def set_follow_up_done(
    *, session: AsyncSession, principal: Principal, note_id: int, follow_up_id: int, done: bool
) -> FollowUpRead:
    """Done records when and by whom (marking it done again keeps the first record); reopening clears both."""
    row = await repository.get_follow_up(session, note_id=note_id, follow_up_id=follow_up_id, for_update=True)
    if row is None:
        raise NotFound(f"follow-up {follow_up_id} of shift note {note_id} not found")
    if done and row.done_at is None:
        row.done_at, row.done_by = utcnow(), actor_of(principal)
    elif not done:
        row.done_at, row.done_by = None, None
    await repository.add(session, row)
    return follow_up_read(row)
