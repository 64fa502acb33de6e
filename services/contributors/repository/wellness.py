"""Queries of wellness: exposure records, projects worked on, check-ins, vendor policies, the board's
candidates; `readable_vendor_policies` scopes a caller's reads of vendor policies, and the board's
queries are scoped by `readable_contributors`."""

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import (
    Contributor,
    ContributorProject,
    ExposureRecord,
    VendorWellnessPolicy,
    WellnessCheckIn,
)
from services.contributors.repository.contributors import readable_contributors
from shared.auth import OPERATIONS_STAFF, Principal
from shared.pagination import Keyset, SortColumn

CHECK_IN_KEYSET = Keyset(columns={"id": SortColumn(WellnessCheckIn.id, int)}, id_column=WellnessCheckIn.id)


def readable_vendor_policies(principal: Principal) -> Select:
    """Operations staff see every vendor's policy; a vendor user only its own vendor's."""
    stmt = select(VendorWellnessPolicy)
    if principal.has_any(*OPERATIONS_STAFF):
        return stmt
    if principal.vendor_id is not None:
        return stmt.where(VendorWellnessPolicy.vendor_id == principal.vendor_id)
    return stmt.where(False)


async def get_readable_vendor_policy(
    session: AsyncSession, *, principal: Principal, vendor_id: int
) -> VendorWellnessPolicy | None:
    stmt = readable_vendor_policies(principal).where(VendorWellnessPolicy.vendor_id == vendor_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def vendor_policy(
    session: AsyncSession, *, vendor_id: int, for_update: bool = False
) -> VendorWellnessPolicy | None:
    """Unscoped: for the policy's managers and for publishing, never for a vendor's read."""
    stmt = select(VendorWellnessPolicy).where(VendorWellnessPolicy.vendor_id == vendor_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def exposure_between(
    session: AsyncSession, *, contributor_id: int, start: datetime, end: datetime
) -> list[ExposureRecord]:
    """Records overlapping [start, end)."""
    stmt = (
        select(ExposureRecord)
        .where(
            ExposureRecord.contributor_id == contributor_id,
            ExposureRecord.ended_at > start,
            ExposureRecord.started_at < end,
        )
        .order_by(ExposureRecord.started_at)
    )
    return list((await session.execute(stmt)).scalars())


async def add_exposure(session: AsyncSession, record: ExposureRecord) -> None:
    session.add(record)
    await session.flush()


async def touch_project(session: AsyncSession, *, contributor_id: int, project_id: int, at: datetime) -> None:
    row = await session.get(ContributorProject, (contributor_id, project_id))
    if row is None:
        session.add(
            ContributorProject(contributor_id=contributor_id, project_id=project_id, last_submitted_at=at)
        )
    elif at > row.last_submitted_at:
        row.last_submitted_at = at
    await session.flush()


async def project_ids_of(session: AsyncSession, *, contributor_id: int) -> set[int]:
    stmt = select(ContributorProject.project_id).where(ContributorProject.contributor_id == contributor_id)
    return set((await session.execute(stmt)).scalars())


async def check_ins(
    session: AsyncSession, *, contributor_id: int, sort: str, cursor: str | None, limit: int
) -> list[WellnessCheckIn]:
    stmt = select(WellnessCheckIn).where(WellnessCheckIn.contributor_id == contributor_id)
    stmt = CHECK_IN_KEYSET.apply(stmt, sort=sort, cursor=cursor, limit=limit)
    return list((await session.execute(stmt)).scalars())


async def last_check_in(session: AsyncSession, *, contributor_id: int) -> WellnessCheckIn | None:
    stmt = (
        select(WellnessCheckIn)
        .where(WellnessCheckIn.contributor_id == contributor_id)
        .order_by(WellnessCheckIn.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def _board_people(principal: Principal, vendor_id: int | None) -> Select:
    """The people a caller's board may list: readable to it, not erased, of `vendor_id` when given."""
    stmt = readable_contributors(principal).where(Contributor.erased_at.is_(None))
    if vendor_id is not None:
        stmt = stmt.where(Contributor.vendor_id == vendor_id)
    return stmt


async def board_people_exposed_since(
    session: AsyncSession, *, principal: Principal, vendor_id: int | None, since: datetime
) -> set[int]:
    """Readable people with harmful exposure ending after `since` (ix_exposure_harmful_ended)."""
    people = _board_people(principal, vendor_id).with_only_columns(Contributor.id).subquery()
    stmt = (
        select(ExposureRecord.contributor_id)
        .distinct()
        .join(people, people.c.id == ExposureRecord.contributor_id)
        .where(ExposureRecord.ended_at > since, ExposureRecord.severity != "none")
    )
    return set((await session.execute(stmt)).scalars())


async def board_latest_check_ins_since(
    session: AsyncSession, *, principal: Principal, vendor_id: int | None, since: datetime
) -> dict[int, tuple[datetime, bool]]:
    """Readable person → (time, wants_support) of their latest check-in recorded after `since`."""
    people = _board_people(principal, vendor_id).with_only_columns(Contributor.id).subquery()
    stmt = (
        select(WellnessCheckIn.contributor_id, WellnessCheckIn.created_at, WellnessCheckIn.wants_support)
        .join(people, people.c.id == WellnessCheckIn.contributor_id)
        .where(WellnessCheckIn.created_at > since)
        .order_by(WellnessCheckIn.id)
    )
    return {c: (at, bool(wants)) for c, at, wants in (await session.execute(stmt)).all()}


async def board_people(session: AsyncSession, *, principal: Principal, ids: set[int]) -> list[Contributor]:
    stmt = _board_people(principal, None).where(Contributor.id.in_(ids))
    return list((await session.execute(stmt)).scalars())


async def exposure_of_people_since(
    session: AsyncSession, *, contributor_ids: set[int], since: datetime
) -> list[ExposureRecord]:
    """Every exposure record of these people ending after `since`, oldest first."""
    stmt = (
        select(ExposureRecord)
        .where(ExposureRecord.contributor_id.in_(contributor_ids), ExposureRecord.ended_at > since)
        .order_by(ExposureRecord.started_at)
    )
    return list((await session.execute(stmt)).scalars())


async def vendor_policies_of(session: AsyncSession, *, vendor_ids: set[int]) -> list[VendorWellnessPolicy]:
    """Unscoped: the overrides that set the caps of the people a board shows."""
    stmt = select(VendorWellnessPolicy).where(VendorWellnessPolicy.vendor_id.in_(vendor_ids))
    return list((await session.execute(stmt)).scalars())
