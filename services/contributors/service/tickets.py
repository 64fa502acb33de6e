"""Rules of support tickets: SLA due times, the status machine, messages, assignment and escalation."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from typing_extensions import Unpack

from services.contributors import metrics
from services.contributors.models import Ticket, TicketEvent, TicketMessage
from services.contributors.repository import contributors as contributor_repository
from services.contributors.repository import tickets as repository
from services.contributors.rules.access import actor_of, is_manager
from services.contributors.rules.inbox import can_merge, normalized_tags, render_canned
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
    BulkOutcome,
    BulkResult,
    BulkTicketUpdate,
    MessageCreate,
    TicketCreate,
    TicketEscalation,
    TicketFilters,
    TicketMerge,
    TicketRead,
    TicketTransition,
    TicketUpdate,
)
from services.contributors.service import notifications
from services.contributors.service.agents import support_agent
from services.contributors.service.contributors import field_error
from services.contributors.settings import ContributorsSettings
from shared.auth import Principal
from shared.db import Database, utcnow
from shared.errors import Conflict, DomainError, Forbidden, NotFound
from shared.http import ServiceClient
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


def ticket_read(
    ticket: Ticket, now: datetime | None = None, *, tags: list[str] | None = None, staff: bool = True
) -> TicketRead:
    """The ticket with its SLA state as of now (overdue, targets missed, time to first response); a
    contributor's view leaves out what is for support only (assignee, escalation, tags)."""
    now = now or utcnow()
    facts = sla_facts(ticket)
    due = SlaDueTimes(ticket.first_response_due, ticket.resolution_due)
    values = {name: getattr(ticket, name) for name in TicketRead.model_fields if hasattr(ticket, name)}
    values["tags"] = tags or []
    values["assignee"] = _agent_ref(ticket.assignee_id, ticket.assignee)
    values["escalated_to"] = _agent_ref(ticket.escalated_to_id, ticket.escalated_to)
    if not staff:
        values.update(dict.fromkeys(STAFF_ONLY_FIELDS), tags=[])
    return TicketRead.model_validate(
        {
            **values,
            "first_response_seconds": first_response_seconds(ticket.created_at, ticket.first_response_at),
            "overdue": is_overdue_against(due, facts, now),
            "sla_breaches": sorted(sla_breaches_against(due, facts, now)),
        }
    )


def _agent_ref(user_id: int | None, name: str | None) -> dict | None:
    return {"id": user_id, "display_name": name} if name is not None else None


# What support writes for itself about a ticket: never shown to the contributor who wrote in.
STAFF_ONLY_FIELDS = ("assignee", "escalated_to", "escalation_reason")
# The ticket's history a contributor sees: what happened to its query, not who handled it or why.
CONTRIBUTOR_HISTORY = frozenset({"created", "status", "first_response", "priority", "merged"})


def sees_staff_fields(principal: Principal) -> bool:
    return is_manager(principal) or principal.has_any("analyst")


async def ticket_views(
    *, session: AsyncSession, principal: Principal, tickets: list[Ticket], now: datetime | None = None
) -> list[TicketRead]:
    now = now or utcnow()
    tags = await repository.tags_of(session, ticket_ids=[t.id for t in tickets])
    staff = sees_staff_fields(principal)
    return [ticket_read(t, now, tags=tags[t.id], staff=staff) for t in tickets]


async def ticket_view(*, session: AsyncSession, principal: Principal, ticket: Ticket) -> TicketRead:
    return (await ticket_views(session=session, principal=principal, tickets=[ticket]))[0]


def _event(
    ticket: Ticket,
    principal: Principal,
    kind: str,
    *,
    old=None,
    new=None,
    note=None,
    old_user_id: int | None = None,
    new_user_id: int | None = None,
) -> TicketEvent:
    """A history row; a value that names a gateway user comes with the user's id (`*_user_id`)."""
    return TicketEvent(
        ticket_id=ticket.id,
        kind=kind,
        from_value=old,
        to_value=new,
        from_user_id=old_user_id,
        to_user_id=new_user_id,
        note=note,
        actor=actor_of(principal),
        at=utcnow(),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


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
    tags = values.pop("tags")
    if is_manager(principal):
        values["priority"] = (values["priority"] or TicketPriority.P3).value
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
        # Support sets the priority from what the query says: a contributor's own P1 would jump the queue.
        for name in ("priority", "tags"):
            if name in data.model_fields_set:
                raise field_error(name, f"{name} is set by support staff")
        values["priority"] = TicketPriority.P3.value
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
    if tags:
        await repository.set_tags(session, ticket_id=ticket.id, tags=tags)
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


async def ticket_history(*, session: AsyncSession, principal: Principal, ticket: Ticket) -> list[TicketEvent]:
    events = await repository.events_of(session, ticket_id=ticket.id)
    if sees_staff_fields(principal):
        return events
    return [e for e in events if e.kind in CONTRIBUTOR_HISTORY]


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
    services: ServiceClient,
    principal: Principal,
    ticket: Ticket,
    data: TicketUpdate,
    settings: ContributorsSettings,
) -> Ticket:
    values = data.model_dump(exclude_unset=True)
    tags = values.pop("tags", None)
    changes = {k: v for k, v in values.items() if getattr(ticket, k) != v}
    if tags is not None:
        old_tags = (await repository.tags_of(session, ticket_ids=[ticket.id]))[ticket.id]
        tags = tags if tags != old_tags else None
    if not changes and tags is None:
        return ticket
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(f"ticket {ticket.id} is closed")
    if "contributor_id" in changes:
        if await contributor_repository.get(session, contributor_id=changes["contributor_id"]) is None:
            raise field_error("contributor_id", f"no contributor {changes['contributor_id']}")
        await repository.add(
            session,
            _event(
                ticket,
                principal,
                "linked",
                old=_text(ticket.contributor_id),
                new=_text(changes["contributor_id"]),
            ),
        )
    if tags is not None:
        await repository.set_tags(session, ticket_id=ticket.id, tags=tags)
        await repository.add(
            session, _event(ticket, principal, "tags", old=",".join(old_tags), new=",".join(tags))
        )
    if "assignee_id" in changes:
        agent_id = changes.pop("assignee_id")
        agent = (
            None
            if agent_id is None
            else await support_agent(services, agent_id, session=session, field="assignee_id")
        )
        old, old_id = ticket.assignee, ticket.assignee_id
        ticket.assignee_id, ticket.assignee = (agent.id, agent.display_name) if agent else (None, None)
        event = _event(ticket, principal, "assignee", old=old, new=ticket.assignee, old_user_id=old_id,
                       new_user_id=ticket.assignee_id)  # fmt: skip
        await repository.add(session, event)
    for name, value in changes.items():
        old = getattr(ticket, name)
        setattr(ticket, name, value)
        if name in ("priority", "category"):
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
    body = data.body
    if data.canned_reply_id is not None:
        if not staff:
            raise Forbidden("canned replies are for staff")
        body = await _canned_text(session, ticket=ticket, principal=principal, canned_id=data.canned_reply_id)
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(f"ticket {ticket.id} is closed; open a new ticket to follow up")
    now = utcnow()
    message = TicketMessage(
        ticket_id=ticket.id,
        author=actor_of(principal),
        author_kind="staff" if staff else "contributor",
        body=body,
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
    services: ServiceClient,
    principal: Principal,
    ticket: Ticket,
    data: TicketEscalation,
    settings: ContributorsSettings,
) -> Ticket:
    """Hand the ticket to a support user, who becomes its assignee and is told at once (email, the team's
    webhook, `ticket.escalated`); the reason is kept in its history."""
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise Conflict(f"ticket {ticket.id} is {ticket.status}; reopen it before escalating")
    lead = await support_agent(services, data.lead_id, session=session, field="lead_id")
    now = utcnow()
    old_assignee, old_assignee_id = ticket.assignee, ticket.assignee_id
    ticket.escalated_to_id, ticket.escalated_to = lead.id, lead.display_name
    ticket.escalation_reason = data.reason
    ticket.escalated_at = now
    ticket.assignee_id, ticket.assignee = lead.id, lead.display_name
    event = _event(ticket, principal, "escalated", old=old_assignee, new=lead.display_name, note=data.reason,
                   old_user_id=old_assignee_id, new_user_id=lead.id)  # fmt: skip
    await repository.add(session, event)
    if data.priority is not None and data.priority.value != ticket.priority:
        await repository.add(
            session, _event(ticket, principal, "priority", old=ticket.priority, new=data.priority.value)
        )
        ticket.priority = data.priority.value
        _set_due_times(ticket, settings)
    _touch(ticket)
    await session.flush()
    await notifications.notify_ticket(session, settings, "ticket.escalated", ticket)
    return ticket


async def release_user_tickets(*, session: AsyncSession, user_id: int, actor: str, cause: str) -> int:
    """A user who can no longer work tickets (disabled or deleted in the gateway) holds none: each unclosed
    ticket assigned or escalated to the user loses that assignee or lead, recorded in its history with the
    cause, so it is back among the unassigned and its SLA warnings reach the support alert address
    instead of nobody. An escalated ticket stays escalated, without a lead. How many tickets changed."""
    tickets = await repository.open_tickets_held_by(session, user_id=user_id)
    now = utcnow()
    for ticket in tickets:
        if ticket.assignee_id == user_id:
            await repository.add(session, TicketEvent(ticket_id=ticket.id, kind="assignee", from_value=ticket.assignee,
                                                      from_user_id=user_id, note=cause, actor=actor, at=now))  # fmt: skip
            ticket.assignee_id, ticket.assignee = None, None
        if ticket.escalated_to_id == user_id:
            await repository.add(session, TicketEvent(ticket_id=ticket.id, kind="escalation_lead",
                                                      from_value=ticket.escalated_to, from_user_id=user_id,
                                                      note=cause, actor=actor, at=now))  # fmt: skip
            ticket.escalated_to_id, ticket.escalated_to = None, None
        _touch(ticket)
    await session.flush()
    return len(tickets)


async def count_sla_breaches(*, db: Database, settings: ContributorsSettings) -> None:
    """Count every SLA target missed since the last pass once in the metrics, and tell the responsible
    person (`ticket.sla_breached`), claiming it on the ticket row so that no replica does either again."""
    async with db.sessionmaker() as session, session.begin():
        claimed = await repository.mark_breaches_counted(session, now=utcnow())
        for kind, breaches in claimed.items():
            for ticket_id, _priority in breaches:
                ticket = await session.get(Ticket, ticket_id)
                await notifications.notify_ticket(
                    session, settings, "ticket.sla_breached", ticket, detail=kind
                )
    # Counted once committed: a claim that was rolled back is found again by the next pass.
    metrics.count_sla_breaches({kind: [p for _, p in breaches] for kind, breaches in claimed.items()})


async def _canned_text(session: AsyncSession, *, ticket: Ticket, principal: Principal, canned_id: int) -> str:
    canned = await repository.get_canned(session, canned_id=canned_id)
    if canned is None:
        raise field_error("canned_reply_id", f"no canned reply {canned_id}")
    contributor = (
        await contributor_repository.get(session, contributor_id=ticket.contributor_id)
        if ticket.contributor_id is not None
        else None
    )
    values = {
        "ticket_id": ticket.id,
        "subject": ticket.subject,
        "requester_name": ticket.requester_name,
        "contributor_name": contributor.full_name if contributor is not None else None,
        "agent": actor_of(principal),
    }
    return render_canned(canned.body, values)


async def _close(session: AsyncSession, *, principal: Principal, ticket: Ticket, note: str | None) -> None:
    """Close a ticket by the machine's own path: resolved first where it is not yet (so every closed
    ticket has a resolution time)."""
    if ticket.status != TicketStatus.RESOLVED:
        await move_ticket(session=session, principal=principal, ticket=ticket,
                          data=TicketTransition(to=TicketStatus.RESOLVED, note=note))  # fmt: skip
    await move_ticket(session=session, principal=principal, ticket=ticket,
                      data=TicketTransition(to=TicketStatus.CLOSED, note=note))  # fmt: skip


async def _bulk_one(
    session: AsyncSession,
    *,
    services: ServiceClient,
    principal: Principal,
    ticket: Ticket,
    data: BulkTicketUpdate,
    settings: ContributorsSettings,
) -> None:
    # A null priority or category leaves it as it is; a null assignee_id unassigns.
    fields = {k: v for k, v in data.model_dump(include={"priority", "category"}).items() if v is not None}
    if "assignee_id" in data.model_fields_set:
        fields["assignee_id"] = data.assignee_id
    if data.add_tags or data.remove_tags:
        current = (await repository.tags_of(session, ticket_ids=[ticket.id]))[ticket.id]
        fields["tags"] = normalized_tags((set(current) | set(data.add_tags)) - set(data.remove_tags))
    if fields:
        await update_ticket(session=session, services=services, principal=principal, ticket=ticket,
                            data=TicketUpdate.model_validate(fields), settings=settings)  # fmt: skip
    if data.reply is not None:
        message = MessageCreate.model_validate(data.reply.model_dump())
        await add_message(session=session, principal=principal, ticket=ticket, data=message)
    if data.status is not None and data.status != ticket.status:
        if data.status == TicketStatus.CLOSED:
            await _close(session, principal=principal, ticket=ticket, note="bulk update")
        else:
            await move_ticket(session=session, principal=principal, ticket=ticket,
                              data=TicketTransition(to=data.status, note="bulk update"))  # fmt: skip


async def bulk_update(
    *,
    session: AsyncSession,
    services: ServiceClient,
    principal: Principal,
    data: BulkTicketUpdate,
    settings: ContributorsSettings,
) -> BulkResult:
    """The same change on each ticket, each whole or not at all (a savepoint per ticket); the answer
    says, ticket by ticket, what each would have answered alone."""
    outcomes = []
    # In id order, as every bulk change locks them: two bulk calls over the same tickets queue up instead
    # of deadlocking.
    for ticket_id in sorted(data.ticket_ids):
        try:
            async with session.begin_nested():
                ticket = await get_ticket(
                    session=session, principal=principal, ticket_id=ticket_id, for_update=True
                )
                await _bulk_one(
                    session,
                    services=services,
                    principal=principal,
                    ticket=ticket,
                    data=data,
                    settings=settings,
                )
        except DomainError as exc:
            outcomes.append(BulkOutcome(ticket_id=ticket_id, ok=False, status=exc.status, detail=exc.detail))
            continue
        outcomes.append(BulkOutcome(ticket_id=ticket_id, ok=True, status=200))
    changed = sum(o.ok for o in outcomes)
    return BulkResult(items=outcomes, changed=changed, failed=len(outcomes) - changed)


async def merge_ticket(
    *, session: AsyncSession, principal: Principal, ticket: Ticket, data: TicketMerge
) -> Ticket:
    """Merge `ticket` into another of the same person: its messages carry on there, the tags join, and
    it is closed pointing at the one it was merged into. Returns the ticket merged into."""
    if data.into_ticket_id == ticket.id:
        raise field_error("into_ticket_id", "a ticket cannot be merged into itself")
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(f"ticket {ticket.id} is closed")
    into = await get_ticket(
        session=session, principal=principal, ticket_id=data.into_ticket_id, for_update=True
    )
    if into.status == TicketStatus.CLOSED:
        raise Conflict(f"ticket {into.id} is closed; merge into an open one")
    if not can_merge(ticket.contributor_id, into.contributor_id):
        raise Conflict(f"tickets {ticket.id} and {into.id} are different contributors' queries")
    moved = await repository.move_thread(session, from_ticket_id=ticket.id, to_ticket_id=into.id)
    tags = await repository.tags_of(session, ticket_ids=[ticket.id, into.id])
    await repository.set_tags(
        session, ticket_id=into.id, tags=normalized_tags(tags[ticket.id] + tags[into.id])
    )
    note = f"{moved} message(s) of ticket {ticket.id}"
    await repository.add(
        session, _event(into, principal, "merged", old=str(ticket.id), new=str(into.id), note=note)
    )
    await repository.add(session, _event(ticket, principal, "merged", old=str(ticket.id), new=str(into.id)))
    ticket.merged_into_id = into.id
    await _close(session, principal=principal, ticket=ticket, note=f"merged into ticket {into.id}")
    _touch(into)
    await session.flush()
    return into
