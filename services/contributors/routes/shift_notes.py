"""HTTP for /api/v1/shift-notes: notes one shift writes for the next, and their follow-ups."""

from fastapi import APIRouter, Response

from services.contributors.deps import ShiftNotesRead, ShiftNotesWrite
from services.contributors.schemas.shift_notes import (
    FollowUpChangePage,
    FollowUpCreate,
    FollowUpRead,
    FollowUpUpdate,
    ShiftNoteCreate,
    ShiftNotePage,
    ShiftNoteRead,
    ShiftNoteSort,
    Team,
)
from services.contributors.service import shift_notes as service
from shared.db import ReadSessionDep, SessionDep
from shared.etag import IfMatchHeader, set_etag
from shared.http import ServicesDep
from shared.pagination import KeysetCursor, PageLimit
from shared.types import PathId
from shared.windows import Since, Until

router = APIRouter(prefix="/api/v1/shift-notes", tags=["shift notes"])


@router.post("", status_code=201, response_model=ShiftNoteRead)
async def write_shift_note(
    data: ShiftNoteCreate, session: SessionDep, services: ServicesDep, principal: ShiftNotesWrite
):
    """A note for the next shift of a team, with follow-ups and their owners."""
    return await service.write_note(session=session, services=services, principal=principal, data=data)


@router.get("", response_model=ShiftNotePage)
async def list_shift_notes(
    session: ReadSessionDep,
    _principal: ShiftNotesRead,
    team: Team | None = None,
    since: Since = None,
    until: Until = None,
    sort: ShiftNoteSort = "-id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    items, next_cursor = await service.list_notes(
        session=session, team=team, since=since, until=until, sort=sort, cursor=cursor, limit=limit
    )
    return ShiftNotePage(items=items, next_cursor=next_cursor)


@router.get("/{note_id}", response_model=ShiftNoteRead)
async def read_shift_note(note_id: PathId, session: ReadSessionDep, _principal: ShiftNotesRead):
    return await service.get_note(session=session, note_id=note_id)


@router.post("/{note_id}/follow-ups", status_code=201, response_model=FollowUpRead)
async def add_follow_up(
    note_id: PathId,
    data: FollowUpCreate,
    session: SessionDep,
    services: ServicesDep,
    principal: ShiftNotesWrite,
):
    """Add a follow-up to a note already written."""
    return await service.add_follow_up(
        session=session, services=services, principal=principal, note_id=note_id, data=data
    )


@router.patch("/{note_id}/follow-ups/{follow_up_id}", response_model=FollowUpRead)
async def update_follow_up(
    note_id: PathId,
    follow_up_id: PathId,
    data: FollowUpUpdate,
    response: Response,
    session: SessionDep,
    services: ServicesDep,
    principal: ShiftNotesWrite,
    if_match: IfMatchHeader = None,
):
    """Change a follow-up's text, owner or due time, mark it done or reopen it; each change is recorded.
    `If-Match: "{id}-{version}"` names the version read (428 without it, 412 when someone changed it)."""
    follow_up = await service.update_follow_up(
        session=session,
        services=services,
        principal=principal,
        note_id=note_id,
        follow_up_id=follow_up_id,
        data=data,
        if_match=if_match,
    )
    set_etag(response, follow_up.id, follow_up.version)
    return follow_up


@router.get("/{note_id}/history", response_model=FollowUpChangePage)
async def shift_note_history(note_id: PathId, session: ReadSessionDep, _principal: ShiftNotesRead):
    """Who changed what of the note's follow-ups, oldest first."""
    return FollowUpChangePage(items=await service.follow_up_changes(session=session, note_id=note_id))
