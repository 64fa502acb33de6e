"""A contributor's own corner: its tickets (open one, read the thread, reply), announcements, wellness
today and the queues where it gets work. Another contributor's ticket is the API's 404."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse

from services.console.deps import OwnArea
from services.console.routes.pages import console_router, render
from services.console.schemas.forms import OwnTicketForm, ReplyForm
from services.console.service import mine as service
from services.console.service.gateway import GatewayError
from shared.types import PathId

router = console_router(prefix="/me")


@router.get("")
async def my_work(request: Request, console: OwnArea):
    if console.viewer.contributor_id is None:
        raise GatewayError(403, "your user is not linked to a contributor")
    overview = await service.own_overview(
        gateway=console.gateway, contributor_id=console.viewer.contributor_id
    )
    return render(request, console, "mine.html", active="mine", **overview)


@router.post("/tickets")
async def open_ticket(console: OwnArea, form: Annotated[OwnTicketForm, Form()]):
    ticket = await service.open_own_ticket(
        gateway=console.gateway, category=form.category, subject=form.subject, body=form.body
    )
    return RedirectResponse(f"/me/tickets/{ticket['id']}", status_code=303)


@router.get("/tickets/{ticket_id}")
async def my_ticket(request: Request, ticket_id: PathId, console: OwnArea):
    thread = await service.own_ticket(gateway=console.gateway, ticket_id=ticket_id)
    return render(
        request,
        console,
        "my_ticket.html",
        active="mine",
        reply_action=f"/me/tickets/{ticket_id}/messages",
        **thread,
    )


@router.post("/tickets/{ticket_id}/messages")
async def reply(request: Request, ticket_id: PathId, console: OwnArea, form: Annotated[ReplyForm, Form()]):
    await service.reply(gateway=console.gateway, ticket_id=ticket_id, body=form.body)
    if request.headers.get("HX-Request"):
        thread = await service.own_ticket(gateway=console.gateway, ticket_id=ticket_id)
        return render(
            request, console, "_thread.html", reply_action=f"/me/tickets/{ticket_id}/messages", **thread
        )
    return RedirectResponse(f"/me/tickets/{ticket_id}", status_code=303)
