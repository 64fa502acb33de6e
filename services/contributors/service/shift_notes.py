"""Rules of shift notes: a note is written once for a team; its follow-ups are added, edited, done (or
reopened) by the staff who write notes, each change recorded with who made it."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import ShiftNote, ShiftNoteFollowUp, ShiftNoteFollowUpChange
from services.contributors.repository import shift_notes as repository
from services.contributors.rules.access import actor_of
from services.contributors.schemas.shift_notes import (
    FollowUpChangeRead,
    FollowUpCreate,
    FollowUpRead,
    FollowUpUpdate,
    ShiftNoteCreate,
    ShiftNoteRead,
)
from services.contributors.service.agents import follow_up_owner
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import NotFound
from shared.etag import check_if_match
from shared.http import ServiceClient
from shared.windows import check_open_window


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


async def _owner(
    services: ServiceClient, data: FollowUpCreate, *, session: AsyncSession, field: str
) -> tuple[int | None, str]:
    """(user id, display name) of the owner named by id, or (None, the name) for a name that is no user."""
    if data.owner_id is None:
        assert data.owner is not None
        return None, data.owner
    user = await follow_up_owner(services, data.owner_id, session=session, field=field)
    return user.id, user.display_name


def _change(
    row: ShiftNoteFollowUp,
    actor: str,
    field: str,
    old: str | None,
    new: str | None,
    at: datetime,
    *,
    old_user_id: int | None = None,
    new_user_id: int | None = None,
) -> ShiftNoteFollowUpChange:
    """A history row; an owner that is a gateway user comes with the user's id (`*_user_id`)."""
    return ShiftNoteFollowUpChange(
        follow_up_id=row.id,
        note_id=row.note_id,
        field=field,
        from_value=old,
        to_value=new,
        from_user_id=old_user_id,
        to_user_id=new_user_id,
        actor=actor[:100],
        at=at,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def write_note(
    *, session: AsyncSession, services: ServiceClient, principal: Principal, data: ShiftNoteCreate
) -> ShiftNoteRead:
    """Record the note and its follow-ups, authored by the caller; owners named by id must be users who
    work follow-ups (a 422 naming the follow-up's owner_id otherwise)."""
    owners = [
        await _owner(services, f, session=session, field=f"follow_ups/{i}/owner_id")
        for i, f in enumerate(data.follow_ups)
    ]
    now = utcnow()
    note = ShiftNote(
        team=data.team, subject=data.subject, body=data.body, author=actor_of(principal), created_at=now
    )
    await repository.add(session, note)
    follow_ups = [
        ShiftNoteFollowUp(
            note_id=note.id,
            description=f.description,
            owner_id=owner_id,
            owner=owner,
            due_at=f.due_at,
            created_at=now,
        )
        for f, (owner_id, owner) in zip(data.follow_ups, owners, strict=True)
    ]
    if follow_ups:
        await repository.add(session, *follow_ups)
    return note_read(note, follow_ups)


async def add_follow_up(
    *,
    session: AsyncSession,
    services: ServiceClient,
    principal: Principal,
    note_id: int,
    data: FollowUpCreate,
) -> FollowUpRead:
    """A follow-up added to a note already written (recorded as `added`, by the caller)."""
    if await repository.get(session, note_id=note_id) is None:
        raise NotFound(f"shift note {note_id} not found")
    owner_id, owner = await _owner(services, data, session=session, field="owner_id")
    now = utcnow()
    row = ShiftNoteFollowUp(
        note_id=note_id, description=data.description, owner_id=owner_id, owner=owner, due_at=data.due_at,
        created_at=now,
    )  # fmt: skip
    await repository.add(session, row)
    await repository.add(session, _change(row, actor_of(principal), "added", None, data.description, now))
    return follow_up_read(row)


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
    """The notes written in [since, until) (either end may be open), a page at a time."""
    check_open_window(since, until)
    rows = await repository.list_notes(
        session, team=team, since=since, until=until, sort=sort, cursor=cursor, limit=limit
    )
    notes, next_cursor = repository.SHIFT_NOTE_KEYSET.page(rows, sort=sort, limit=limit)
    by_note: dict[int, list[ShiftNoteFollowUp]] = {n.id: [] for n in notes}
    for follow_up in await repository.follow_ups_of(session, note_ids=list(by_note)):
        by_note[follow_up.note_id].append(follow_up)
    return [note_read(n, by_note[n.id]) for n in notes], next_cursor


async def update_follow_up(
    *,
    session: AsyncSession,
    services: ServiceClient,
    principal: Principal,
    note_id: int,
    follow_up_id: int,
    data: FollowUpUpdate,
    if_match: str | None,
) -> FollowUpRead:
    """Change what the caller sent of the follow-up read at `if_match`, recording each field that changed
    with its old and new value. Done records when and by whom (marking it done again keeps the first
    record); reopening clears both."""
    row = await repository.get_follow_up(session, note_id=note_id, follow_up_id=follow_up_id, for_update=True)
    if row is None:
        raise NotFound(f"follow-up {follow_up_id} of shift note {note_id} not found")
    check_if_match(if_match, resource_id=row.id, version=row.version)
    sent, now, by = data.model_fields_set, utcnow(), actor_of(principal)
    changes: list[ShiftNoteFollowUpChange] = []
    if "description" in sent and data.description != row.description:
        changes.append(_change(row, by, "description", row.description, data.description, now))
        row.description = data.description
    if "owner_id" in sent and data.owner_id != row.owner_id:
        owner = await follow_up_owner(services, data.owner_id, session=session, field="owner_id")
        changes.append(_change(row, by, "owner", row.owner, owner.display_name, now, old_user_id=row.owner_id,
                               new_user_id=owner.id))  # fmt: skip
        row.owner_id, row.owner = owner.id, owner.display_name
    if "due_at" in sent and data.due_at != row.due_at:
        changes.append(_change(row, by, "due_at", _iso(row.due_at), _iso(data.due_at), now))
        row.due_at = data.due_at
    if "done" in sent and data.done and row.done_at is None:
        row.done_at, row.done_by = now, by
        changes.append(_change(row, by, "done", None, _iso(now), now))
    elif "done" in sent and not data.done and row.done_at is not None:
        changes.append(_change(row, by, "reopened", _iso(row.done_at), None, now))
        row.done_at, row.done_by = None, None
    if changes:
        row.version += 1
    await repository.add(session, row, *changes)
    return follow_up_read(row)


async def release_user_follow_ups(*, session: AsyncSession, user_id: int, actor: str, cause: str) -> int:
    """A user who can no longer work follow-ups (disabled or deleted in the gateway) owns none still open:
    each falls to its note's team (an owner that is no user), recorded as an owner change with the cause,
    so the handover lists it under the team instead of under someone who will never do it. Done ones keep
    who did them. How many follow-ups changed."""
    owned = await repository.open_follow_ups_owned_by(session, user_id=user_id)
    now = utcnow()
    for row, team in owned:
        change = _change(row, f"{actor} ({cause})", "owner", row.owner, team, now, old_user_id=user_id)
        row.owner_id, row.owner = None, team
        row.version += 1
        await repository.add(session, row, change)
    return len(owned)


async def follow_up_changes(*, session: AsyncSession, note_id: int) -> list[FollowUpChangeRead]:
    """Every change to the note's follow-ups, oldest first."""
    if await repository.get(session, note_id=note_id) is None:
        raise NotFound(f"shift note {note_id} not found")
    rows = await repository.follow_up_changes_of(session, note_id=note_id)
    return [FollowUpChangeRead.model_validate(row) for row in rows]
