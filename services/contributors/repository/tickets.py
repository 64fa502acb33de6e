"""Every query on tickets; `readable_tickets` scopes reads to the caller."""

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, literal, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Ticket, TicketEvent, TicketMessage
from services.contributors.rules.access import CONTRIBUTOR_MANAGERS
from services.contributors.schemas.tickets import TicketFilters
from shared.auth import Principal
from shared.db import UTCDateTime
from shared.pagination import Keyset, SortColumn, as_datetime

TICKET_KEYSET = Keyset(
    columns={
        "id": SortColumn(Ticket.id, int),
        "created_at": SortColumn(Ticket.created_at, as_datetime),
        "updated_at": SortColumn(Ticket.updated_at, as_datetime),
        "first_response_due": SortColumn(Ticket.first_response_due, as_datetime),
        "resolution_due": SortColumn(Ticket.resolution_due, as_datetime),
        "priority": SortColumn(Ticket.priority, str),
    },
    id_column=Ticket.id,
)
MESSAGE_KEYSET = Keyset(columns={"id": SortColumn(TicketMessage.id, int)}, id_column=TicketMessage.id)
CLOSED_STATUSES = ("resolved", "closed")


def readable_tickets(principal: Principal) -> Select:
    """Support staff and analysts see every ticket; a contributor only its own."""
    stmt = select(Ticket)
    if principal.has_any(*CONTRIBUTOR_MANAGERS, "analyst"):
        return stmt
    if principal.has_any("contributor") and principal.contributor_id is not None:
        return stmt.where(Ticket.contributor_id == principal.contributor_id)
    return stmt.where(False)


def _now(now: datetime) -> ColumnElement:
    return literal(now, UTCDateTime())


def overdue_condition(now: datetime) -> ColumnElement:
    """Unresolved and past a pending due time; a ticket waiting on the contributor stops its resolution clock."""
    return and_(
        Ticket.status.not_in(CLOSED_STATUSES),
        or_(
            and_(Ticket.first_response_at.is_(None), Ticket.first_response_due < _now(now)),
            and_(Ticket.status != "waiting", Ticket.resolution_due < _now(now)),
        ),
    )


def first_response_breach(now: datetime) -> ColumnElement:
    return func.coalesce(Ticket.first_response_at, Ticket.resolved_at, _now(now)) > Ticket.first_response_due


def resolution_breach(now: datetime) -> ColumnElement:
    return and_(
        Ticket.status != "waiting", func.coalesce(Ticket.resolved_at, _now(now)) > Ticket.resolution_due
    )


def filtered(stmt: Select, filters: TicketFilters, *, now: datetime) -> Select:
    if filters.status:
        stmt = stmt.where(Ticket.status.in_([s.value for s in filters.status]))
    if filters.priority:
        stmt = stmt.where(Ticket.priority.in_([p.value for p in filters.priority]))
    if filters.channel:
        stmt = stmt.where(Ticket.channel.in_([c.value for c in filters.channel]))
    if filters.category:
        stmt = stmt.where(Ticket.category.in_([c.value for c in filters.category]))
    if filters.assignee is not None:
        stmt = stmt.where(Ticket.assignee == filters.assignee)
    if filters.unassigned is not None:
        stmt = stmt.where(Ticket.assignee.is_(None) if filters.unassigned else Ticket.assignee.is_not(None))
    if filters.contributor_id is not None:
        stmt = stmt.where(Ticket.contributor_id == filters.contributor_id)
    if filters.escalated is not None:
        stmt = stmt.where(
            Ticket.escalated_at.is_not(None) if filters.escalated else Ticket.escalated_at.is_(None)
        )
    if filters.overdue is not None:
        stmt = stmt.where(overdue_condition(now) if filters.overdue else not_(overdue_condition(now)))
    if filters.created_from is not None:
        stmt = stmt.where(Ticket.created_at >= filters.created_from)
    if filters.created_to is not None:
        stmt = stmt.where(Ticket.created_at < filters.created_to)
    return stmt


async def list_readable(
    session: AsyncSession,
    *,
    principal: Principal,
    filters: TicketFilters,
    now: datetime,
    sort: str,
    cursor: str | None,
    limit: int,
    breach_kind: str | None = None,
    breaches_only: bool = False,
) -> list[Ticket]:
    stmt = filtered(readable_tickets(principal), filters, now=now)
    if breaches_only:
        if breach_kind == "first_response":
            stmt = stmt.where(first_response_breach(now))
        elif breach_kind == "resolution":
            stmt = stmt.where(resolution_breach(now))
        else:
            stmt = stmt.where(or_(first_response_breach(now), resolution_breach(now)))
    stmt = TICKET_KEYSET.apply(stmt, sort=sort, cursor=cursor, limit=limit)
    return list((await session.execute(stmt)).scalars())


async def get_readable(
    session: AsyncSession, *, principal: Principal, ticket_id: int, for_update: bool = False
) -> Ticket | None:
    stmt = readable_tickets(principal).where(Ticket.id == ticket_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def events_of(session: AsyncSession, *, ticket_id: int) -> list[TicketEvent]:
    stmt = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    return list((await session.execute(stmt)).scalars())


async def messages_of(
    session: AsyncSession,
    *,
    ticket_id: int,
    include_internal: bool,
    sort: str,
    cursor: str | None,
    limit: int,
) -> list[TicketMessage]:
    stmt = select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
    if not include_internal:
        stmt = stmt.where(TicketMessage.internal.is_(False))
    stmt = MESSAGE_KEYSET.apply(stmt, sort=sort, cursor=cursor, limit=limit)
    return list((await session.execute(stmt)).scalars())


async def mark_breaches_counted(session: AsyncSession, *, now: datetime) -> dict[str, list[str]]:
    """Claim the breaches not yet counted (once across replicas); returns priorities per kind."""
    claimed: dict[str, list[str]] = {}
    for kind, column, condition in (
        ("first_response", Ticket.first_response_breach_counted_at, first_response_breach(now)),
        ("resolution", Ticket.resolution_breach_counted_at, resolution_breach(now)),
    ):
        result = await session.execute(
            update(Ticket)
            .where(column.is_(None), condition)
            .values({column.key: now})
            .returning(Ticket.priority)
            .execution_options(synchronize_session=False)
        )
        claimed[kind] = list(result.scalars())
    return claimed


async def open_counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    stmt = (
        select(Ticket.priority, Ticket.status, func.count())
        .where(Ticket.status.not_in(CLOSED_STATUSES))
        .group_by(Ticket.priority, Ticket.status)
    )
    return {(p, s): n for p, s, n in (await session.execute(stmt)).all()}
