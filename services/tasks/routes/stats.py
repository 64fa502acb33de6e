"""HTTP for /api/v1/production and /api/v1/stats (vendor invoices, scorecards, contributor stats)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.tasks.deps import ContributorStatsRead, ProductionRead
from services.tasks.schemas.stats import ContributorStatsRead as ContributorStatsBody
from services.tasks.schemas.stats import ProductionRead as ProductionBody
from services.tasks.schemas.stats import VendorStatsRead
from services.tasks.service import stats
from shared.db import ReadSessionDep
from shared.types import MAX_ID, PathId
from shared.windows import Since, Until

router = APIRouter(prefix="/api/v1", tags=["stats"])
VendorId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get("/production", response_model=ProductionBody)
async def production(
    session: ReadSessionDep,
    principal: ProductionRead,
    vendor_id: VendorId = None,
    since: Since = None,
    until: Until = None,
    group_by: Annotated[
        Literal["day"] | None, Query(description="day: one item per UTC day of decision")
    ] = None,
):
    """Accepted units in [since, until) (default: the 30 days before now) by project, task type, language
    and vendor: what vendors invoice."""
    return await stats.production(
        session=session, principal=principal, vendor_id=vendor_id, since=since, until=until,
        by_day=group_by == "day",
    )  # fmt: skip


@router.get("/stats/vendors/{vendor_id}", response_model=VendorStatsRead)
async def vendor_stats(
    vendor_id: PathId,
    session: ReadSessionDep,
    principal: ProductionRead,
    since: Since = None,
    until: Until = None,
):
    """The vendor's KPIs in [since, until) (default: the 30 days before now)."""
    return await stats.vendor_stats(
        session=session, principal=principal, vendor_id=vendor_id, since=since, until=until
    )


@router.get("/stats/contributors/{contributor_id}", response_model=ContributorStatsBody)
async def contributor_stats(
    contributor_id: PathId,
    session: ReadSessionDep,
    principal: ContributorStatsRead,
    since: Since = None,
    until: Until = None,
):
    """The contributor's answers in [since, until) (default: the 30 days before now)."""
    return await stats.contributor_stats(
        session=session, principal=principal, contributor_id=contributor_id, since=since, until=until
    )
