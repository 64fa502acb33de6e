"""Queries on contributor profiles (this service's copy of each contributor's eligibility facts);
`readable_profiles` scopes a caller's reads."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.deps import FIGURES_READERS
from services.tasks.models import (
    Assignment,
    BudgetCap,
    ContributorFact,
    ContributorProfile,
    ContributorQuality,
    DailyExposure,
    PermissionAudit,
    QualityRuleFiring,
    QueueBan,
    QueuePermission,
    Review,
    Submission,
    VendorStatus,
)
from services.tasks.rules.eligibility import Fact
from shared.auth import Principal
from shared.privacy import rows_where
from shared.tenancy import scoped_to_caller


def readable_profiles(principal: Principal) -> Select:
    """Figure readers see every profile; a vendor user those of its vendor's people; a contributor its own."""
    return scoped_to_caller(
        select(ContributorProfile),
        principal,
        readers=FIGURES_READERS,
        vendor_column=ContributorProfile.vendor_id,
        contributor_column=ContributorProfile.contributor_id,
    )


async def get_readable_profile(
    session: AsyncSession, *, principal: Principal, contributor_id: int
) -> ContributorProfile | None:
    stmt = readable_profiles(principal).where(ContributorProfile.contributor_id == contributor_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_profile(session: AsyncSession, *, contributor_id: int) -> ContributorProfile | None:
    """Unscoped: for event handlers and the service's own rules, never for a caller's read."""
    return await session.get(ContributorProfile, contributor_id)


async def save_profile(session: AsyncSession, profile: ContributorProfile) -> None:
    session.add(profile)
    await session.flush()


async def replace_facts(session: AsyncSession, *, contributor_id: int, facts: list[Fact]) -> None:
    """The contributor's eligibility facts become exactly `facts`."""
    await session.execute(delete(ContributorFact).where(ContributorFact.contributor_id == contributor_id))
    if facts:
        await session.execute(
            insert(ContributorFact), [{"contributor_id": contributor_id, **vars(f)} for f in facts]
        )


async def save_vendor_status(
    session: AsyncSession, *, vendor_id: int, status: str, changed_at: datetime
) -> bool:
    """Keep the vendor's status unless the one held is newer; True when it was saved."""
    held = await session.get(VendorStatus, vendor_id)
    if held is not None and held.changed_at >= changed_at:
        return False
    if held is None:
        session.add(VendorStatus(vendor_id=vendor_id, status=status, changed_at=changed_at))
    else:
        held.status, held.changed_at = status, changed_at
    await session.flush()
    return True


async def save_budget_cap(
    session: AsyncSession, *, budget_id: int, changed_at: datetime, **values: Any
) -> bool:
    """Keep the budget's cap unless the one held is newer; True when it was saved."""
    held = await session.get(BudgetCap, budget_id)
    if held is not None and held.changed_at >= changed_at:
        return False
    if held is None:
        session.add(BudgetCap(budget_id=budget_id, changed_at=changed_at, **values))
    else:
        held.changed_at = changed_at
        for name, value in values.items():
            setattr(held, name, value)
    await session.flush()
    return True


async def personal_rows(session: AsyncSession, *, contributor_id: int) -> dict[str, Sequence[Any]]:
    """Every row of this service about the contributor, by table (its DSAR export): its eligibility facts,
    grants and their audit, bans and rule firings, leases, answers, reviews it gave, quality and exposure."""
    about = {
        "contributor_profiles": ContributorProfile.contributor_id,
        "contributor_facts": ContributorFact.contributor_id,
        "queue_permissions": QueuePermission.contributor_id,
        "permission_audit": PermissionAudit.contributor_id,
        "queue_bans": QueueBan.contributor_id,
        "quality_rule_firings": QualityRuleFiring.contributor_id,
        "assignments": Assignment.contributor_id,
        "submissions": Submission.contributor_id,
        "reviews": Review.reviewer_id,
        "contributor_quality": ContributorQuality.contributor_id,
        "daily_exposure": DailyExposure.contributor_id,
    }
    return {
        name: await rows_where(session, column.class_, column == contributor_id)
        for name, column in about.items()
    }
