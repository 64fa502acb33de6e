"""Every query on tickets; `readable_tickets` scopes reads to the caller."""

from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    not_,
    or_,
    select,
    text,
    update,
)
from sqlalchemy import (
    column as sql_column,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import CannedReply, Ticket, TicketEvent, TicketMessage, TicketTag
from services.contributors.rules.access import CONTRIBUTOR_MANAGERS
from services.contributors.schemas.tickets import TicketFilters
from shared.auth import Principal
from shared.db import UTCDateTime, dialect_of
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
CANNED_KEYSET = Keyset(
    columns={"id": SortColumn(CannedReply.id, int), "name": SortColumn(CannedReply.name, str)},
    id_column=CannedReply.id,
)
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


# SQLite's full-text indexes of subjects and messages (migration 0005).
SQLITE_SEARCH_TABLES = ("tickets_fts", "ticket_messages_fts")


async def purge_search_index(session: AsyncSession) -> None:
    """Drop replaced text from SQLite's full-text indexes for good: FTS5 only marks a rewritten row's
    old words deleted until its segments merge, so an erasure must merge them now (PostgreSQL's index
    holds no such rows)."""
    if dialect_of(session) == "sqlite":
        for table in SQLITE_SEARCH_TABLES:
            await session.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))


def search_condition(terms: list[str], *, dialect: str, include_internal: bool) -> ColumnElement:
    """Every term in the subject, or every term in one of its messages (internal notes only for staff):
    PostgreSQL's full-text search over to_tsvector('simple', …), SQLite's FTS5 tables (migration 0005)."""
    message = select(TicketMessage.ticket_id)
    if not include_internal:
        message = message.where(TicketMessage.internal.is_(False))
    if dialect == "postgresql":
        # Written as the GIN indexes' own expressions ('simple' inline), so the planner uses them.
        query = func.plainto_tsquery(literal_column("'simple'"), " ".join(terms))
        subject = func.to_tsvector(literal_column("'simple'"), Ticket.subject).op("@@")(query)
        body = func.to_tsvector(literal_column("'simple'"), TicketMessage.body).op("@@")(query)
        return or_(subject, Ticket.id.in_(message.where(body)))
    match = " ".join(f'"{term}"' for term in terms)  # each term quoted: no FTS5 syntax reaches MATCH
    subjects = text("SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH :subject_match").bindparams(
        subject_match=match
    )
    bodies = text(
        "SELECT rowid FROM ticket_messages_fts WHERE ticket_messages_fts MATCH :body_match"
    ).bindparams(body_match=match)
    return or_(
        Ticket.id.in_(subjects.columns(sql_column("rowid", Integer))),
        Ticket.id.in_(message.where(TicketMessage.id.in_(bodies.columns(sql_column("rowid", Integer))))),
    )


def filtered(
    stmt: Select,
    filters: TicketFilters,
    *,
    now: datetime,
    dialect: str = "sqlite",
    include_internal: bool = True,
) -> Select:
    if filters.status:
        stmt = stmt.where(Ticket.status.in_([s.value for s in filters.status]))
    if filters.priority:
        stmt = stmt.where(Ticket.priority.in_([p.value for p in filters.priority]))
    if filters.channel:
        stmt = stmt.where(Ticket.channel.in_([c.value for c in filters.channel]))
    if filters.category:
        stmt = stmt.where(Ticket.category.in_([c.value for c in filters.category]))
    if filters.assignee_id is not None:
        stmt = stmt.where(Ticket.assignee_id == filters.assignee_id)
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
    if filters.created_since is not None:
        stmt = stmt.where(Ticket.created_at >= filters.created_since)
    if filters.created_until is not None:
        stmt = stmt.where(Ticket.created_at < filters.created_until)
    if filters.tag:
        stmt = stmt.where(exists().where(TicketTag.ticket_id == Ticket.id, TicketTag.tag.in_(filters.tag)))
    if filters.q:
        stmt = stmt.where(search_condition(filters.q, dialect=dialect, include_internal=include_internal))
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
    stmt = filtered(
        readable_tickets(principal),
        filters,
        now=now,
        dialect=dialect_of(session),
        include_internal=principal.has_any(*CONTRIBUTOR_MANAGERS, "analyst"),
    )
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


async def open_tickets_held_by(session: AsyncSession, *, user_id: int) -> list[Ticket]:
    """Unclosed tickets assigned to or escalated to the user, locked until commit (by ix_tickets_assignee_id
    and ix_tickets_escalated_to_id)."""
    stmt = (
        select(Ticket)
        .where(
            or_(Ticket.assignee_id == user_id, Ticket.escalated_to_id == user_id),
            Ticket.status.not_in(CLOSED_STATUSES),
        )
        .order_by(Ticket.id)
        .with_for_update()
    )
    return list((await session.execute(stmt)).scalars())


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


async def mark_breaches_counted(session: AsyncSession, *, now: datetime) -> dict[str, list[tuple[int, str]]]:
    """Claim the breaches not yet counted (once across replicas); returns (ticket id, priority) per kind."""
    claimed: dict[str, list[tuple[int, str]]] = {}
    for kind, column, condition in (
        ("first_response", Ticket.first_response_breach_counted_at, first_response_breach(now)),
        ("resolution", Ticket.resolution_breach_counted_at, resolution_breach(now)),
    ):
        result = await session.execute(
            update(Ticket)
            .where(column.is_(None), condition)
            .values({column.key: now})
            .returning(Ticket.id, Ticket.priority)
            .execution_options(synchronize_session=False)
        )
        claimed[kind] = [(ticket_id, priority) for ticket_id, priority in result.all()]
    return claimed


async def open_counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    stmt = (
        select(Ticket.priority, Ticket.status, func.count())
        .where(Ticket.status.not_in(CLOSED_STATUSES))
        .group_by(Ticket.priority, Ticket.status)
    )
    return {(p, s): n for p, s, n in (await session.execute(stmt)).all()}


async def tags_of(session: AsyncSession, *, ticket_ids: list[int]) -> dict[int, list[str]]:
    stmt = (
        select(TicketTag.ticket_id, TicketTag.tag)
        .where(TicketTag.ticket_id.in_(ticket_ids))
        .order_by(TicketTag.tag)
    )
    tags: dict[int, list[str]] = {i: [] for i in ticket_ids}
    for ticket_id, tag in (await session.execute(stmt)).all():
        tags[ticket_id].append(tag)
    return tags


async def set_tags(session: AsyncSession, *, ticket_id: int, tags: list[str]) -> None:
    await session.execute(delete(TicketTag).where(TicketTag.ticket_id == ticket_id))
    if tags:
        await session.execute(insert(TicketTag), [{"ticket_id": ticket_id, "tag": t} for t in tags])


async def move_thread(session: AsyncSession, *, from_ticket_id: int, to_ticket_id: int) -> int:
    """A merged ticket's messages carry on in the ticket it was merged into; returns how many."""
    result = await session.execute(
        update(TicketMessage)
        .where(TicketMessage.ticket_id == from_ticket_id)
        .values(ticket_id=to_ticket_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def get_canned(
    session: AsyncSession, *, canned_id: int, for_update: bool = False
) -> CannedReply | None:
    stmt = select(CannedReply).where(CannedReply.id == canned_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_canned(
    session: AsyncSession, *, sort: str, cursor: str | None, limit: int
) -> list[CannedReply]:
    stmt = CANNED_KEYSET.apply(select(CannedReply), sort=sort, cursor=cursor, limit=limit)
    return list((await session.execute(stmt)).scalars())


async def delete_canned(session: AsyncSession, *, canned: CannedReply) -> None:
    await session.delete(canned)
    await session.flush()
