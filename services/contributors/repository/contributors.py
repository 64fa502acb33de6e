"""Every query on contributors, their search index and their personal text; `readable_contributors` scopes
reads to the caller. The rows under a contributor (history, onboarding, qualifications, vetting) are
read by the contributor's id once it has been loaded through `readable_contributors`."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import (
    Contributor,
    ContributorLanguage,
    ContributorProject,
    ContributorSkill,
    ExposureRecord,
    OnboardingCompletion,
    Qualification,
    ShiftNote,
    ShiftNoteFollowUp,
    ShiftNoteFollowUpChange,
    StatusChange,
    Ticket,
    TicketEvent,
    TicketMessage,
    VettingChange,
    WellnessCheckIn,
)
from services.contributors.repository import channels
from services.contributors.rules.access import UNSCOPED_CONTRIBUTOR_READERS
from services.contributors.schemas.contributors import ContributorFilters
from shared.auth import Principal
from shared.db import flush_or_conflict, utcnow
from shared.languages import PROFICIENCY_RANK
from shared.pagination import Keyset, SortColumn, as_datetime
from shared.privacy import mentioning, rows_where, without_mentions

CONTRIBUTOR_KEYSET = Keyset(
    columns={
        "id": SortColumn(Contributor.id, int),
        "created_at": SortColumn(Contributor.created_at, as_datetime),
        "updated_at": SortColumn(Contributor.updated_at, as_datetime),
        "full_name": SortColumn(Contributor.full_name, str),
        "email": SortColumn(Contributor.email, str),
        "status": SortColumn(Contributor.status, str),
    },
    id_column=Contributor.id,
)


def readable_contributors(principal: Principal) -> Select:
    """Staff see everyone; a vendor user only its vendor's people; a contributor only itself."""
    stmt = select(Contributor)
    if principal.has_any(*UNSCOPED_CONTRIBUTOR_READERS):
        return stmt
    if principal.has_any("vendor") and principal.vendor_id is not None:
        return stmt.where(Contributor.vendor_id == principal.vendor_id)
    if principal.has_any("contributor") and principal.contributor_id is not None:
        return stmt.where(Contributor.id == principal.contributor_id)
    return stmt.where(False)


async def get_readable(
    session: AsyncSession, *, principal: Principal, contributor_id: int, for_update: bool = False
) -> Contributor | None:
    stmt = readable_contributors(principal).where(Contributor.id == contributor_id)
    if for_update:
        # Serialises writers of one contributor, so versions (and the events they order) never fork.
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, *, contributor_id: int, for_update: bool = False) -> Contributor | None:
    """Unscoped: for event handlers and internal rules, never for a caller's request."""
    stmt = select(Contributor).where(Contributor.id == contributor_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered(stmt: Select, filters: ContributorFilters) -> Select:
    """Apply the list filters; languages and skills go through their index tables."""
    if not filters.include_erased:
        stmt = stmt.where(Contributor.erased_at.is_(None))
    if filters.status:
        stmt = stmt.where(Contributor.status.in_([s.value for s in filters.status]))
    if filters.vendor_id is not None:
        stmt = stmt.where(Contributor.vendor_id == filters.vendor_id)
    if filters.country is not None:
        stmt = stmt.where(Contributor.country == filters.country)
    if filters.campaign_id is not None:
        stmt = stmt.where(Contributor.campaign_id == filters.campaign_id)
    if filters.created_since is not None:
        stmt = stmt.where(Contributor.created_at >= filters.created_since)
    if filters.created_until is not None:
        stmt = stmt.where(Contributor.created_at < filters.created_until)
    if filters.email is not None:
        stmt = stmt.where(Contributor.email == filters.email.strip().lower())
    if filters.q:
        needle = f"%{_escape_like(filters.q.strip().lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(Contributor.full_name).like(needle, escape="\\"),
                Contributor.email.like(needle, escape="\\"),
            )
        )
    if filters.language is not None:
        tag = filters.language
        # "pt" means any Portuguese (pt, pt-BR, pt-PT); "pt-BR" means exactly that.
        matches = ContributorLanguage.code == tag if "-" in tag else ContributorLanguage.base_language == tag
        condition = [ContributorLanguage.contributor_id == Contributor.id, matches]
        if filters.min_proficiency is not None:
            rank = PROFICIENCY_RANK[filters.min_proficiency]
            condition.append(
                ContributorLanguage.proficiency.in_([p for p, r in PROFICIENCY_RANK.items() if r >= rank])
            )
        stmt = stmt.where(exists().where(*condition))
    if filters.skill is not None:
        stmt = stmt.where(
            exists().where(
                ContributorSkill.contributor_id == Contributor.id,
                ContributorSkill.skill == filters.skill.strip(),
            )
        )
    return stmt


async def list_readable(
    session: AsyncSession,
    *,
    principal: Principal,
    filters: ContributorFilters,
    sort: str,
    cursor: str | None,
    limit: int,
) -> list[Contributor]:
    stmt = filtered(readable_contributors(principal), filters)
    stmt = CONTRIBUTOR_KEYSET.apply(stmt, sort=sort, cursor=cursor, limit=limit)
    return list((await session.execute(stmt)).scalars())


async def stream_readable(
    session: AsyncSession, *, principal: Principal, filters: ContributorFilters, batch: int = 1000
):
    """Every matching contributor in id order, fetched in batches (for the CSV export)."""
    after = 0
    while True:
        stmt = filtered(readable_contributors(principal), filters).where(Contributor.id > after)
        rows = list((await session.execute(stmt.order_by(Contributor.id).limit(batch))).scalars())
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        after = rows[-1].id


async def email_taken(session: AsyncSession, *, email: str, except_id: int | None = None) -> bool:
    stmt = select(Contributor.id).where(Contributor.email == email)
    if except_id is not None:
        stmt = stmt.where(Contributor.id != except_id)
    return (await session.execute(stmt.limit(1))).first() is not None


async def existing_emails(session: AsyncSession, emails: Sequence[str]) -> set[str]:
    found: set[str] = set()
    chunk = 500
    for start in range(0, len(emails), chunk):
        part = list(emails[start : start + chunk])
        found.update(
            (await session.execute(select(Contributor.email).where(Contributor.email.in_(part)))).scalars()
        )
    return found


async def add(session: AsyncSession, contributor: Contributor) -> Contributor:
    session.add(contributor)
    await flush_or_conflict(session, conflict=f"a contributor with email {contributor.email} already exists")
    await sync_search_index(session, contributor)
    return contributor


async def flush_profile(session: AsyncSession, contributor: Contributor) -> None:
    await flush_or_conflict(session, conflict=f"a contributor with email {contributor.email} already exists")


async def sync_search_index(session: AsyncSession, contributor: Contributor) -> None:
    """Rewrite the language and skill index rows from the contributor's own lists."""
    await session.execute(
        delete(ContributorLanguage).where(ContributorLanguage.contributor_id == contributor.id)
    )
    await session.execute(delete(ContributorSkill).where(ContributorSkill.contributor_id == contributor.id))
    for language in contributor.languages:
        session.add(
            ContributorLanguage(
                contributor_id=contributor.id,
                code=language["code"],
                base_language=language["code"].split("-")[0],
                proficiency=language["proficiency"],
            )
        )
    for skill in contributor.skills:
        session.add(ContributorSkill(contributor_id=contributor.id, skill=skill))
    await session.flush()


async def ids_of_vendor(session: AsyncSession, *, vendor_id: int, after_id: int, limit: int) -> list[int]:
    stmt = (
        select(Contributor.id)
        .where(Contributor.vendor_id == vendor_id, Contributor.erased_at.is_(None), Contributor.id > after_id)
        .order_by(Contributor.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def save(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def delete_row(session: AsyncSession, row: object) -> None:
    await session.delete(row)
    await session.flush()


async def erase_personal_text(
    session: AsyncSession, *, contributor_id: int, email: str, replacement: str
) -> None:
    """Overwrite every free text and contact about the person: its tickets (by id, or by contact = its
    email) with their messages and history notes, its status and vetting reasons and its check-in notes."""
    tickets = select(Ticket.id).where(
        or_(Ticket.contributor_id == contributor_id, func.lower(Ticket.requester_contact) == email)
    )
    ids = list((await session.execute(tickets)).scalars())
    if ids:
        await session.execute(
            update(Ticket)
            .where(Ticket.id.in_(ids))
            .values(subject=replacement, requester_name=None, requester_contact=None)
        )
        await session.execute(
            update(Ticket)
            .where(Ticket.id.in_(ids), Ticket.escalation_reason.is_not(None))
            .values(escalation_reason=replacement)
        )
        await session.execute(
            update(TicketMessage).where(TicketMessage.ticket_id.in_(ids)).values(body=replacement)
        )
        await session.execute(
            update(TicketEvent)
            .where(TicketEvent.ticket_id.in_(ids), TicketEvent.note.is_not(None))
            .values(note=replacement)
        )
    await channels.erase_channel_data(
        session,
        contributor_id=contributor_id,
        email=email,
        ticket_ids=ids,
        replacement=replacement,
        now=utcnow(),
    )
    await session.execute(
        update(StatusChange)
        .where(StatusChange.contributor_id == contributor_id, StatusChange.reason.is_not(None))
        .values(reason=replacement)
    )
    await session.execute(
        update(VettingChange)
        .where(VettingChange.contributor_id == contributor_id, VettingChange.reason.is_not(None))
        .values(reason=replacement)
    )
    await session.execute(
        update(WellnessCheckIn)
        .where(WellnessCheckIn.contributor_id == contributor_id, WellnessCheckIn.note.is_not(None))
        .values(note=replacement)
    )


# Staff's free text that may name a person: shift notes and their follow-ups.
MENTION_COLUMNS = (
    (ShiftNote, ("subject", "body")),
    (ShiftNoteFollowUp, ("description", "owner")),
    (ShiftNoteFollowUpChange, ("from_value", "to_value")),
)


async def erase_mentions(session: AsyncSession, *, mentions: list[str], replacement: str) -> int:
    """Replace the person's name and email wherever shift notes and their follow-ups mention them (free
    text other people wrote); returns how many texts changed."""
    changed = 0
    for model, columns in MENTION_COLUMNS:
        mentioned = mentioning((getattr(model, c) for c in columns), mentions)
        for row in (await session.execute(select(model).where(mentioned))).scalars():
            for column in columns:
                setattr(row, column, without_mentions(getattr(row, column), mentions, replacement))
            changed += 1
    await session.flush()
    return changed


async def personal_rows(
    session: AsyncSession, *, contributor_id: int, email: str, mentions: list[str]
) -> dict[str, Sequence[Any]]:
    """Every row of this service about the person, by table (its DSAR export): its own rows, the tickets
    it opened or that came from its email with their messages and trail, and the staff texts naming it."""
    own = {
        "contributors": Contributor.id,
        "contributor_languages": ContributorLanguage.contributor_id,
        "contributor_skills": ContributorSkill.contributor_id,
        "status_changes": StatusChange.contributor_id,
        "vetting_changes": VettingChange.contributor_id,
        "onboarding_completions": OnboardingCompletion.contributor_id,
        "qualifications": Qualification.contributor_id,
        "contributor_projects": ContributorProject.contributor_id,
        "exposure_records": ExposureRecord.contributor_id,
        "wellness_check_ins": WellnessCheckIn.contributor_id,
    }
    found: dict[str, Sequence[Any]] = {}
    for name, column in own.items():
        found[name] = await rows_where(session, column.class_, column == contributor_id)
    tickets = await rows_where(
        session,
        Ticket,
        or_(Ticket.contributor_id == contributor_id, func.lower(Ticket.requester_contact) == email.lower()),
    )
    ticket_ids = [t.id for t in tickets]
    found["tickets"] = tickets
    found["ticket_messages"] = await rows_where(
        session, TicketMessage, TicketMessage.ticket_id.in_(ticket_ids)
    )
    found["ticket_events"] = await rows_where(session, TicketEvent, TicketEvent.ticket_id.in_(ticket_ids))
    found.update(
        await channels.personal_rows(
            session, contributor_id=contributor_id, email=email, ticket_ids=ticket_ids
        )
    )
    for model, columns in MENTION_COLUMNS:
        found[model.__tablename__] = await rows_where(
            session, model, mentioning((getattr(model, c) for c in columns), mentions)
        )
    return found
