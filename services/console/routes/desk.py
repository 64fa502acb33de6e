"""The shift desk: tickets by SLA due with live countdowns, a ticket's thread with reply, assign, escalate
and resolve, SLA breaches, shift notes, and the handover previewed and downloaded."""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Form, Query, Request
from fastapi.responses import RedirectResponse

from services.console.deps import DeskArea, SettingsDep
from services.console.routes.pages import ListFile, console_router, list_file, passed_through, render
from services.console.rules.display import utc_from_local
from services.console.rules.tables import chosen, table_links
from services.console.schemas.forms import (
    AssignForm,
    EscalateForm,
    FollowUpDoneForm,
    FollowUpEditForm,
    FollowUpForm,
    ReplyForm,
    ShiftNoteForm,
    TicketMoveForm,
)
from services.console.service import desk as service
from shared.types import PathId

router = console_router(prefix="/desk")

STATUSES = ("open", "in_progress", "waiting", "resolved", "closed")
PRIORITIES = ("P1", "P2", "P3", "P4")
# Who moves tickets in the API (the others read them).
TICKET_MANAGERS = ("admin", "ops", "support")
# Who writes shift notes and works their follow-ups in the API (analysts read them).
NOTE_WRITERS = ("admin", "ops", "support", "vendor_manager")
# Who reads partner communications in the API (support staff do not).
PARTNER_READERS = ("admin", "ops", "vendor_manager", "analyst")
SORTS = ("resolution_due", "first_response_due", "priority", "created_at")


@dataclass
class TicketQuery:
    """The desk's table as the viewer filtered and sorted it: the API's filters and the page's own link
    parameters (the table and its download ask the same list)."""

    filters: dict[str, Any]
    sort: str
    params: dict[str, Any]


async def ticket_query(
    console: DeskArea,
    status: Annotated[list[str] | None, Query()] = None,
    priority: str = "",
    q: str = "",
    mine: str = "",
    unassigned: str = "",
    overdue: str = "",
    sort: str = "resolution_due",
) -> TicketQuery:
    statuses = [s for s in status or [] if s in STATUSES] or service.OPEN_STATUSES
    sort = chosen(sort, [*SORTS, *(f"-{s}" for s in SORTS)], "resolution_due")
    filters = {
        "status": statuses,
        "priority": chosen(priority, PRIORITIES, ""),
        "q": q.strip()[:200],
        # Agents are users: "mine" is the viewer's own user id.
        "assignee_id": console.viewer.user_id if mine else None,
        "unassigned": "true" if unassigned and not mine else None,
        "overdue": "true" if overdue else None,
    }
    params = {"status": statuses, "priority": filters["priority"], "q": filters["q"], "mine": mine and "1"}
    params |= {"unassigned": unassigned and "1", "overdue": overdue and "1", "sort": sort}
    return TicketQuery(filters=filters, sort=sort, params=params)


TicketQueryDep = Annotated[TicketQuery, Depends(ticket_query)]


@router.get("")
async def desk(
    request: Request,
    console: DeskArea,
    settings: SettingsDep,
    query: TicketQueryDep,
    cursor: str | None = None,
):
    page = await service.list_tickets(
        gateway=console.gateway,
        filters=query.filters,
        sort=query.sort,
        cursor=cursor,
        limit=settings.page_size,
    )
    sidebar = await service.desk_sidebar(
        gateway=console.gateway, partner_follow_ups=console.viewer.has_any(*PARTNER_READERS)
    )
    params = query.params
    return render(
        request,
        console,
        "desk.html",
        active="desk",
        tickets=page["items"],
        **table_links(
            "/desk",
            params,
            cursor=cursor,
            next_cursor=page["next_cursor"],
            download="/desk/tickets/download",
            sort=query.sort,
        ),
        params=params,
        statuses=STATUSES,
        priorities=PRIORITIES,
        **sidebar,
    )


@router.get("/tickets/download.{format}")
async def tickets_download(format: ListFile, console: DeskArea, query: TicketQueryDep):
    """Every ticket the desk's filters match, as a file."""
    return await list_file(console, "/tickets", format, **query.filters, sort=query.sort)


@router.get("/tickets/{ticket_id}")
async def ticket_page(request: Request, ticket_id: PathId, console: DeskArea):
    thread = await service.ticket_thread(gateway=console.gateway, ticket_id=ticket_id)
    agents = await service.agents(gateway=console.gateway) if console.viewer.has_any(*TICKET_MANAGERS) else []
    return render(request, console, "ticket.html", active="desk", statuses=STATUSES, agents=agents, **thread)


def _back_to_ticket(ticket_id: int) -> RedirectResponse:
    return RedirectResponse(f"/desk/tickets/{ticket_id}", status_code=303)


@router.post("/tickets/{ticket_id}/messages")
async def reply(request: Request, ticket_id: PathId, console: DeskArea, form: Annotated[ReplyForm, Form()]):
    await service.reply(gateway=console.gateway, ticket_id=ticket_id, body=form.body, internal=form.internal)
    if request.headers.get("HX-Request"):
        # htmx swaps the thread in place; the form is reset by the partial it receives.
        thread = await service.ticket_thread(gateway=console.gateway, ticket_id=ticket_id)
        return render(request, console, "_thread.html", **thread)
    return _back_to_ticket(ticket_id)


@router.post("/tickets/{ticket_id}/assign")
async def assign(ticket_id: PathId, console: DeskArea, form: Annotated[AssignForm, Form()]):
    await service.assign(
        gateway=console.gateway, ticket_id=ticket_id, assignee_id=form.assignee_id, version=form.version
    )
    return _back_to_ticket(ticket_id)


@router.post("/tickets/{ticket_id}/escalate")
async def escalate(ticket_id: PathId, console: DeskArea, form: Annotated[EscalateForm, Form()]):
    await service.escalate(
        gateway=console.gateway, ticket_id=ticket_id, lead_id=form.lead_id, reason=form.reason
    )
    return _back_to_ticket(ticket_id)


@router.post("/tickets/{ticket_id}/transitions")
async def move(ticket_id: PathId, console: DeskArea, form: Annotated[TicketMoveForm, Form()]):
    await service.move(gateway=console.gateway, ticket_id=ticket_id, to=form.to, note=form.note.strip())
    return _back_to_ticket(ticket_id)


@router.post("/notes")
async def write_shift_note(console: DeskArea, form: Annotated[ShiftNoteForm, Form()]):
    note = await service.write_shift_note(
        gateway=console.gateway, team=form.team, subject=form.subject, body=form.body
    )
    # On to the note's own page, where its follow-ups are added.
    return _back_to_note(note["id"])


def _back_to_note(note_id: int) -> RedirectResponse:
    return RedirectResponse(f"/desk/notes/{note_id}", status_code=303)


@router.get("/notes/{note_id}")
async def shift_note_page(request: Request, note_id: PathId, console: DeskArea):
    note = await service.shift_note(gateway=console.gateway, note_id=note_id)
    writer = console.viewer.has_any(*NOTE_WRITERS)
    agents = await service.agents(gateway=console.gateway) if writer else []
    return render(request, console, "shift_note.html", active="desk", writer=writer, agents=agents, **note)


@router.post("/notes/{note_id}/follow-ups")
async def add_follow_up(note_id: PathId, console: DeskArea, form: Annotated[FollowUpForm, Form()]):
    await service.add_follow_up(
        gateway=console.gateway,
        note_id=note_id,
        description=form.description,
        owner_id=form.owner_id,
        due_at=utc_from_local(form.due_local, console.zone),
    )
    return _back_to_note(note_id)


@router.post("/notes/{note_id}/follow-ups/{follow_up_id}")
async def edit_follow_up(
    note_id: PathId, follow_up_id: PathId, console: DeskArea, form: Annotated[FollowUpEditForm, Form()]
):
    changes: dict = {"description": form.description}
    if form.owner_id is not None:
        changes["owner_id"] = form.owner_id
    if form.due_local != form.due_shown:
        changes["due_at"] = utc_from_local(form.due_local, console.zone)
    await service.change_follow_up(
        gateway=console.gateway,
        note_id=note_id,
        follow_up_id=follow_up_id,
        changes=changes,
        version=form.version,
    )
    return _back_to_note(note_id)


@router.post("/notes/{note_id}/follow-ups/{follow_up_id}/done")
async def mark_follow_up(
    note_id: PathId, follow_up_id: PathId, console: DeskArea, form: Annotated[FollowUpDoneForm, Form()]
):
    await service.change_follow_up(
        gateway=console.gateway,
        note_id=note_id,
        follow_up_id=follow_up_id,
        changes={"done": form.done},
        version=form.version,
    )
    return _back_to_note(note_id)


@router.get("/handover")
async def handover(request: Request, console: DeskArea):
    report = await service.handover(gateway=console.gateway)
    return render(request, console, "handover.html", active="desk", report=report)


@router.get("/handover.{format}")
async def handover_download(format: Literal["xlsx", "csv"], console: DeskArea):
    return passed_through(await service.handover_file(gateway=console.gateway, format=format))
