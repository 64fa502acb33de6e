"""Every query of the tasks service: profiles here, the rest by resource in the sibling modules."""

from sqlalchemy import JSON, Boolean, TextClause, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import ContributorProfile
from shared.db import UTCDateTime

_UTC = UTCDateTime()


def typed_sql(
    statement: str,
    *,
    times: tuple[str, ...] = (),
    json_cols: tuple[str, ...] = (),
    out_times: tuple[str, ...] = (),
    bools: tuple[str, ...] = (),
) -> TextClause:
    """A `text()` statement for the ORM session with its parameter and column types declared: on SQLite
    times, JSON and booleans are stored as text and integers, and only the declared type converts them."""
    clause = text(statement)
    if times:
        clause = clause.bindparams(*(bindparam(name, type_=_UTC) for name in times))
    columns = {c: JSON() for c in json_cols} | {c: _UTC for c in out_times} | {c: Boolean() for c in bools}
    if columns:
        clause = clause.columns(**columns)
    return clause


async def get_profile(session: AsyncSession, *, contributor_id: int) -> ContributorProfile | None:
    return await session.get(ContributorProfile, contributor_id)


async def save_profile(session: AsyncSession, profile: ContributorProfile) -> None:
    session.add(profile)
    await session.flush()


def dialect_of(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"
