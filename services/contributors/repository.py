"""Every query of the contributors service; `readable_contributors` scopes reads to the caller."""

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor
from shared.auth import Principal
from shared.errors import Conflict

STAFF_ROLES = ("admin", "ops", "support", "analyst", "vendor_manager", "integration", "service")


def readable_contributors(principal: Principal) -> Select:
    """Staff see everyone; a vendor user only its vendor's people; a contributor only itself."""
    stmt = select(Contributor)
    if principal.has_any(*STAFF_ROLES):
        return stmt
    if principal.has_any("vendor") and principal.vendor_id is not None:
        return stmt.where(Contributor.vendor_id == principal.vendor_id)
    if principal.has_any("contributor") and principal.contributor_id is not None:
        return stmt.where(Contributor.id == principal.contributor_id)
    return stmt.where(False)


async def get_readable(
    session: AsyncSession, *, principal: Principal, contributor_id: int
) -> Contributor | None:
    stmt = readable_contributors(principal).where(Contributor.id == contributor_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_readable(
    session: AsyncSession, *, principal: Principal, limit: int, after_id: int | None, status: str | None
) -> list[Contributor]:
    stmt = readable_contributors(principal).order_by(Contributor.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(Contributor.id > after_id)
    if status is not None:
        stmt = stmt.where(Contributor.status == status)
    return list((await session.execute(stmt)).scalars())


async def add(session: AsyncSession, contributor: Contributor) -> Contributor:
    session.add(contributor)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a contributor with email {contributor.email} already exists") from exc
    return contributor
