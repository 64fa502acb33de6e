"""HTTP for /api/v1/tickets: contributor queries, their messages, SLA state, escalation, breach list, search,
tags, bulk changes and merging."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from services.contributors.deps import (
    SettingsDep,
    TicketsManage,
    TicketsRead,
    TicketsReport,
    TicketsWrite,
    ticket_for,
)
from services.contributors.repository.tickets import MESSAGE_KEYSET, TICKET_KEYSET
from services.contributors.rules.inbox import search_terms
from services.contributors.rules.tickets import TicketCategory, TicketChannel, TicketPriority, TicketStatus
from services.contributors.schemas.tickets import (
    BulkResult,
    BulkTicketUpdate,
    MessageCreate,
    MessagePage,
    MessageRead,
    TicketCreate,
    TicketDetail,
    TicketEscalation,
    TicketEventRead,
    TicketFilters,
    TicketMerge,
    TicketPage,
    TicketRead,
    TicketSort,
    TicketTransition,
    TicketUpdate,
)
from services.contributors.service import tickets as service
from shared.db import ReadSessionDep, SessionDep
from shared.errors import Unprocessable
from shared.etag import IfMatchHeader, check_if_match, set_etag
from shared.http import ServicesDep
from shared.pagination import KeysetCursor, PageLimit
from shared.types import Id, Timestamp
from shared.windows import check_open_window

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])

TicketToRead = ticket_for(TicketsRead)
TicketToWrite = ticket_for(TicketsWrite, write=True)
TicketToManage = ticket_for(TicketsManage, write=True)


async def ticket_filters(
    status: Annotated[list[TicketStatus] | None, Query(description="repeat for several")] = None,
    priority: Annotated[list[TicketPriority] | None, Query()] = None,
    channel: Annotated[list[TicketChannel] | None, Query()] = None,
    category: Annotated[list[TicketCategory] | None, Query()] = None,
    assignee_id: Id | None = None,
    unassigned: bool | None = None,
    contributor_id: Id | None = None,
    escalated: bool | None = None,
    overdue: Annotated[
        bool | None, Query(description="a pending first response or resolution is past due")
    ] = None,
    created_since: Annotated[Timestamp | None, Query(description="created at or after")] = None,
    created_until: Annotated[Timestamp | None, Query(description="created before")] = None,
    tag: Annotated[
        list[str] | None, Query(max_length=50, description="any of them; repeat for several")
    ] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="words in the subject or a message, every one"),
    ] = None,
) -> TicketFilters:
    if assignee_id is not None and unassigned:
        raise Unprocessable(
            "assignee_id and unassigned=true exclude each other",
            errors=[
                {
                    "pointer": "/unassigned",
                    "field": "unassigned",
                    "in": "query",
                    "detail": "conflicts with assignee_id",
                }
            ],
        )
    check_open_window(created_since, created_until, field="created_since")
    terms: list[str] = []
    if q is not None:
        try:
            terms = search_terms(q)
        except ValueError as exc:
            raise Unprocessable(
                str(exc), errors=[{"pointer": "/q", "field": "q", "in": "query", "detail": str(exc)}]
            ) from exc
    return TicketFilters(
        tag=[t.strip().lower() for t in tag or []],
        q=terms,
        status=status or [],
        priority=priority or [],
        channel=channel or [],
        category=category or [],
        assignee_id=assignee_id,
        unassigned=unassigned,
        contributor_id=contributor_id,
        escalated=escalated,
        overdue=overdue,
        created_since=created_since,
        created_until=created_until,
    )


Filters = Annotated[TicketFilters, Depends(ticket_filters)]


async def _page(session, principal, rows, *, sort: str, limit: int) -> TicketPage:
    items, next_cursor = TICKET_KEYSET.page(rows, sort=sort, limit=limit)
    views = await service.ticket_views(session=session, principal=principal, tickets=items)
    return TicketPage(items=views, next_cursor=next_cursor)


@router.post("", status_code=201, response_model=TicketRead)
async def open_ticket(
    data: TicketCreate,
    session: SessionDep,
    principal: TicketsWrite,
    settings: SettingsDep,
    response: Response,
):
    """Log a query; its first message is the body. Due times come from the SLA policy of its priority."""
    ticket = await service.open_ticket(session=session, principal=principal, data=data, settings=settings)
    set_etag(response, ticket.id, ticket.version)
    return await service.ticket_view(session=session, principal=principal, ticket=ticket)


@router.get("", response_model=TicketPage)
async def list_tickets(
    session: ReadSessionDep,
    principal: TicketsRead,
    filters: Filters,
    sort: TicketSort = "id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    rows = await service.list_tickets(
        session=session, principal=principal, filters=filters, sort=sort, cursor=cursor, limit=limit
    )
    return await _page(session, principal, rows, sort=sort, limit=limit)


@router.get("/sla-breaches", response_model=TicketPage)
async def sla_breaches(
    session: ReadSessionDep,
    principal: TicketsReport,
    filters: Filters,
    kind: Literal["first_response", "resolution"] | None = None,
    sort: TicketSort = "id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    """Tickets that missed (or are missing right now) a first-response or resolution target."""
    rows = await service.list_tickets(
        session=session,
        principal=principal,
        filters=filters,
        sort=sort,
        cursor=cursor,
        limit=limit,
        breach_kind=kind,
        breaches_only=True,
    )
    return await _page(session, principal, rows, sort=sort, limit=limit)


@router.post("/bulk", response_model=BulkResult)
async def bulk_update(
    data: BulkTicketUpdate,
    session: SessionDep,
    services: ServicesDep,
    principal: TicketsManage,
    settings: SettingsDep,
):
    """One change to many tickets: priority, category, assignee, tags, a reply (own text or canned), a
    status (`closed` resolves first). Each ticket changes whole or not at all; `items` says which."""
    return await service.bulk_update(
        session=session, services=services, principal=principal, data=data, settings=settings
    )


@router.get("/{ticket_id}", response_model=TicketDetail)
async def read_ticket(
    ticket: TicketToRead, session: ReadSessionDep, principal: TicketsRead, response: Response
):
    history = await service.ticket_history(session=session, principal=principal, ticket=ticket)
    set_etag(response, ticket.id, ticket.version)
    view = await service.ticket_view(session=session, principal=principal, ticket=ticket)
    return TicketDetail(**view.model_dump(), history=[TicketEventRead.model_validate(e) for e in history])


@router.patch("/{ticket_id}", response_model=TicketRead)
async def update_ticket(
    ticket: TicketToManage,
    data: TicketUpdate,
    session: SessionDep,
    principal: TicketsManage,
    settings: SettingsDep,
    response: Response,
    services: ServicesDep,
    if_match: IfMatchHeader = None,
):
    """Change priority (due times follow), category, subject, assignee or tags, or link the ticket to the
    contributor who wrote in; needs If-Match."""
    check_if_match(if_match, resource_id=ticket.id, version=ticket.version)
    ticket = await service.update_ticket(
        session=session, services=services, principal=principal, ticket=ticket, data=data, settings=settings
    )
    set_etag(response, ticket.id, ticket.version)
    return await service.ticket_view(session=session, principal=principal, ticket=ticket)


@router.post("/{ticket_id}/transitions", response_model=TicketRead)
async def move_ticket(
    ticket: TicketToManage,
    data: TicketTransition,
    session: SessionDep,
    principal: TicketsManage,
    response: Response,
):
    """open → in_progress → waiting → resolved → closed (409 lists the allowed moves)."""
    ticket = await service.move_ticket(session=session, principal=principal, ticket=ticket, data=data)
    set_etag(response, ticket.id, ticket.version)
    return await service.ticket_view(session=session, principal=principal, ticket=ticket)


@router.post("/{ticket_id}/escalate", response_model=TicketRead)
async def escalate_ticket(
    ticket: TicketToManage,
    data: TicketEscalation,
    session: SessionDep,
    principal: TicketsManage,
    settings: SettingsDep,
    response: Response,
    services: ServicesDep,
):
    ticket = await service.escalate_ticket(
        session=session, services=services, principal=principal, ticket=ticket, data=data, settings=settings
    )
    set_etag(response, ticket.id, ticket.version)
    return await service.ticket_view(session=session, principal=principal, ticket=ticket)


@router.post("/{ticket_id}/merge", response_model=TicketRead)
async def merge_ticket(
    ticket: TicketToManage,
    data: TicketMerge,
    session: SessionDep,
    principal: TicketsManage,
    response: Response,
):
    """Merge this ticket into another of the same person (409 for another contributor's): its messages
    and tags carry on there; it is closed with `merged_into_id`. Answers the ticket merged into."""
    into = await service.merge_ticket(session=session, principal=principal, ticket=ticket, data=data)
    set_etag(response, into.id, into.version)
    return await service.ticket_view(session=session, principal=principal, ticket=into)


@router.post("/{ticket_id}/messages", status_code=201, response_model=MessageRead)
async def add_message(
    ticket: TicketToWrite, data: MessageCreate, session: SessionDep, principal: TicketsWrite
):
    """Reply on the thread. The first staff message is the first response; a contributor's reply resumes work."""
    return await service.add_message(session=session, principal=principal, ticket=ticket, data=data)


@router.get("/{ticket_id}/messages", response_model=MessagePage)
async def list_messages(
    ticket: TicketToRead,
    session: ReadSessionDep,
    principal: TicketsRead,
    sort: Literal["id", "-id"] = "id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    rows = await service.list_messages(
        session=session, principal=principal, ticket=ticket, sort=sort, cursor=cursor, limit=limit
    )
    items, next_cursor = MESSAGE_KEYSET.page(rows, sort=sort, limit=limit)
    return MessagePage(items=items, next_cursor=next_cursor)
