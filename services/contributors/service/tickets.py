"""Rules of support tickets: SLA due times, the status machine, messages, assignment and escalation."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from typing_extensions import Unpack

from services.contributors import metrics
from services.contributors.models import Ticket, TicketEvent, TicketMessage
from services.contributors.repository import contributors as contributor_repository
from services.contributors.repository import tickets as repository
from services.contributors.rules.access import actor_of, is_manager
from services.contributors.rules.tickets import (
    SlaDueTimes,
    TicketPriority,
    TicketSlaFacts,
    TicketStatus,
    check_ticket_transition,
    first_response_seconds,
    is_overdue_against,
    sla_breaches_against,
    sla_due_times,
)
from services.contributors.schemas.tickets import (
    MessageCreate,
    TicketCreate,
    TicketEscalation,
    TicketFilters,
    TicketRead,
    TicketTransition,
    TicketUpdate,
)
from services.contributors.service.contributors import field_error
from services.contributors.settings import ContributorsSettings
from shared.auth import Principal
from shared.db import Database, utcnow
from shared.errors import Conflict, Forbidden, NotFound
from shared.pagination import KeysetArgs


def sla_facts(ticket: Ticket) -> TicketSlaFacts:
    return TicketSlaFacts(
        created_at=ticket.created_at,
        priority=TicketPriority(ticket.priority),
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
        waiting_time=timedelta(seconds=ticket.waiting_seconds),
        waiting_since=ticket.waiting_since,
    )


def ticket_read(ticket: Ticket, now: datetime | None = None) -> TicketRead:
    """The ticket with its SLA state as of now (overdue, targets missed, time to first response)."""
    now = now or utcnow()
    facts = sla_facts(ticket)
    due = SlaDueTimes(ticket.first_response_due, ticket.resolution_due)
    return TicketRead.model_validate(
        {
            **{name: getattr(ticket, name) for name in TicketRead.model_fields if hasattr(ticket, name)},
            "first_response_seconds": first_response_seconds(ticket.created_at, ticket.first_response_at),
            "overdue": is_overdue_against(due, facts, now),
            "sla_breaches": sorted(sla_breaches_against(due, facts, now)),
        }
    )


def _event(ticket: Ticket, principal: Principal, kind: str, *, old=None, new=None, note=None) -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket.id,
        kind=kind,
        from_value=old,
        to_value=new,
        note=note,
        actor=actor_of(principal),
        at=utcnow(),
    )


def _touch(ticket: Ticket) -> None:
    ticket.version += 1
    ticket.updated_at = utcnow()


def _set_due_times(ticket: Ticket, settings: ContributorsSettings) -> None:
    due = sla_due_times(
        ticket.created_at,
        ticket.priority,
        settings.sla_policy(),
        waiting_time=timedelta(seconds=ticket.waiting_seconds),
    )
    ticket.first_response_due = due.first_response_due
    ticket.resolution_due = due.resolution_due


async def open_ticket(
    *, session: AsyncSession, principal: Principal, data: TicketCreate, settings: ContributorsSettings
) -> Ticket:
    """A contributor's ticket is its own; staff log one for a known contributor or a requester's contact."""
    values = data.model_dump()
    body = values.pop("body")
    if is_manager(principal):
        if values["contributor_id"] is not None:
            if await contributor_repository.get(session, contributor_id=values["contributor_id"]) is None:
                raise field_error("contributor_id", f"no contributor {values['contributor_id']}")
        elif values["requester_contact"] is None:
            raise field_error("requester_contact", "give contributor_id or a requester contact to answer")
        author_kind = "contributor" if values["contributor_id"] is not None else "requester"
    else:
        if principal.contributor_id is None:
            raise Forbidden("your user is not linked to a contributor")
        if values["contributor_id"] not in (None, principal.contributor_id):
            raise Forbidden("a contributor can only open tickets for itself")
        values.update(contributor_id=principal.contributor_id, requester_name=None, requester_contact=None)
        author_kind = "contributor"
    now = utcnow()
    ticket = Ticket(**values, status=TicketStatus.OPEN.value, created_at=now, updated_at=now)
    _set_due_times(ticket, settings)
    await repository.add(session, ticket)
    await repository.add(
        session,
        TicketMessage(
            ticket_id=ticket.id,
            author=actor_of(principal),
            author_kind=author_kind,
            body=body,
            created_at=now,
        ),
    )
    await repository.add(session, _event(ticket, principal, "created", new=ticket.status))
    return ticket


async def list_tickets(
    *,
    session: AsyncSession,
    principal: Principal,
    filters: TicketFilters,
    breach_kind: str | None = None,
    breaches_only: bool = False,
    **page: Unpack[KeysetArgs],
) -> list[Ticket]:
    """The tickets the caller may read that match the filters as of now; `breaches_only` keeps those that
    missed (or are missing right now) a target, of `breach_kind` when given."""
    return await repository.list_readable(
        session,
        principal=principal,
        filters=filters,
        now=utcnow(),
        breach_kind=breach_kind,
        breaches_only=breaches_only,
        **page,
    )


async def ticket_history(*, session: AsyncSession, ticket: Ticket) -> list[TicketEvent]:
    return await repository.events_of(session, ticket_id=ticket.id)


async def list_messages(
    *, session: AsyncSession, principal: Principal, ticket: Ticket, sort: str, cursor: str | None, limit: int
) -> list[TicketMessage]:
    """The ticket's thread; internal notes only for support staff and analysts."""
    return await repository.messages_of(
        session,
        ticket_id=ticket.id,
        include_internal=is_manager(principal) or principal.has_any("analyst"),
        sort=sort,
        cursor=cursor,
        limit=limit,
    )


async def get_ticket(
    *, session: AsyncSession, principal: Principal, ticket_id: int, for_update: bool = False
) -> Ticket:
    ticket = await repository.get_readable(
        session, principal=principal, ticket_id=ticket_id, for_update=for_update
    )
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


async def update_ticket(
    *,
    session: AsyncSession,
    principal: Principal,
    ticket: Ticket,
    data: TicketUpdate,
    settings: ContributorsSettings,
) -> Ticket:
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if getattr(ticket, k) != v}
    if not changes:
        return ticket
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(f"ticket {ticket.id} is closed")
    for name, value in changes.items():
        old = getattr(ticket, name)
        setattr(ticket, name, value)
        if name in ("priority", "assignee", "category"):
            await repository.add(session, _event(ticket, principal, name, old=old, new=value))
    if "priority" in changes:
        # Due times follow the priority from the ticket's creation, as if it had had it all along.
        _set_due_times(ticket, settings)
    _touch(ticket)
    await session.flush()
    return ticket


def _apply_status(ticket: Ticket, target: TicketStatus, now: datetime) -> None:
    if ticket.status == TicketStatus.WAITING and ticket.waiting_since is not None:
        waited = max(now - ticket.waiting_since, timedelta(0))
        ticket.waiting_seconds += int(waited.total_seconds())
        ticket.resolution_due = ticket.resolution_due + timedelta(seconds=int(waited.total_seconds()))
        ticket.waiting_since = None
    if target == TicketStatus.WAITING:
        ticket.waiting_since = now
    if target == TicketStatus.RESOLVED:
        ticket.resolved_at = now
    elif target == TicketStatus.IN_PROGRESS:
        ticket.resolved_at = None  # a reopened ticket is unresolved again
    if target == TicketStatus.CLOSED:
        ticket.closed_at = now
    ticket.status = target.value


async def move_ticket(
    *, session: AsyncSession, principal: Principal, ticket: Ticket, data: TicketTransition
) -> Ticket:
    target = check_ticket_transition(ticket.status, data.to)
    old = ticket.status
    _apply_status(ticket, target, utcnow())
    await repository.add(
        session, _event(ticket, principal, "status", old=old, new=target.value, note=data.note)
    )
    _touch(ticket)
    await session.flush()
    return ticket


async def add_message(
    *, session: AsyncSession, principal: Principal, ticket: Ticket, data: MessageCreate
) -> TicketMessage:
    """A staff message is the first response if it is the first one; a contributor's reply resumes work."""
    staff = is_manager(principal)
    if data.internal and not staff:
        raise Forbidden("internal notes are for staff")
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(f"ticket {ticket.id} is closed; open a new ticket to follow up")
    now = utcnow()
    message = TicketMessage(
        ticket_id=ticket.id,
        author=actor_of(principal),
        author_kind="staff" if staff else "contributor",
        body=data.body,
        internal=data.internal,
        created_at=now,
    )
    await repository.add(session, message)
    if staff and not data.internal and ticket.first_response_at is None:
        ticket.first_response_at = now
        metrics.FIRST_RESPONSE.labels(ticket.priority).observe((now - ticket.created_at).total_seconds())
        await repository.add(session, _event(ticket, principal, "first_response"))
    if not staff and ticket.status in (TicketStatus.WAITING, TicketStatus.RESOLVED):
        old = ticket.status
        _apply_status(ticket, TicketStatus.IN_PROGRESS, now)
        await repository.add(
            session,
            _event(ticket, principal, "status", old=old, new=ticket.status, note="contributor replied"),
        )
    _touch(ticket)
    await session.flush()
    return message


async def escalate_ticket(
    *,
    session: AsyncSession,
    principal: Principal,
    ticket: Ticket,
    data: TicketEscalation,
    settings: ContributorsSettings,
) -> Ticket:
    """Hand the ticket to a named lead, who becomes its assignee; the reason is kept in its history."""
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise Conflict(f"ticket {ticket.id} is {ticket.status}; reopen it before escalating")
    now = utcnow()
    old_assignee = ticket.assignee
    ticket.escalated_to = data.lead
    ticket.escalation_reason = data.reason
    ticket.escalated_at = now
    ticket.assignee = data.lead
    await repository.add(
        session, _event(ticket, principal, "escalated", old=old_assignee, new=data.lead, note=data.reason)
    )
    if data.priority is not None and data.priority.value != ticket.priority:
        await repository.add(
            session, _event(ticket, principal, "priority", old=ticket.priority, new=data.priority.value)
        )
        ticket.priority = data.priority.value
        _set_due_times(ticket, settings)
    _touch(ticket)
    await session.flush()
    return ticket


async def count_sla_breaches(*, db: Database) -> None:
    """Count every SLA target missed since the last pass once in the metrics, claiming it on the ticket row
    so that no replica counts it again."""
    async with db.sessionmaker() as session, session.begin():
        claimed = await repository.mark_breaches_counted(session, now=utcnow())
    # Counted once committed: a claim that was rolled back is found again by the next pass.
    metrics.count_sla_breaches(claimed)
