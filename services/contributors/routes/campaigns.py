"""HTTP for /api/v1/campaigns: recruitment campaigns and their funnel."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response

from services.contributors.deps import CampaignsManage, CampaignsRead
from services.contributors.models import Campaign
from services.contributors.repository.campaigns import CAMPAIGN_KEYSET
from services.contributors.schemas.campaigns import (
    CampaignCreate,
    CampaignFunnel,
    CampaignPage,
    CampaignRead,
    CampaignUpdate,
    FunnelReport,
)
from services.contributors.schemas.common import SourceChannel
from services.contributors.service import campaigns as service
from shared.db import ReadSessionDep, SessionDep
from shared.etag import IfMatchHeader, check_if_match, set_etag
from shared.pagination import KeysetCursor, PageLimit
from shared.types import PathId
from shared.windows import Since, Until

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])


async def _campaign(campaign_id: PathId, _principal: CampaignsRead, session: ReadSessionDep) -> Campaign:
    return await service.get_campaign(session=session, campaign_id=campaign_id)


async def _campaign_for_write(
    campaign_id: PathId, _principal: CampaignsManage, session: SessionDep
) -> Campaign:
    # Locked until the edit commits: of two edits sent with one If-Match, the second reads the version
    # the first wrote and is refused (412) instead of overwriting it.
    return await service.get_campaign(session=session, campaign_id=campaign_id, for_update=True)


CampaignToRead = Annotated[Campaign, Depends(_campaign)]
CampaignToEdit = Annotated[Campaign, Depends(_campaign_for_write)]


@router.post("", status_code=201, response_model=CampaignRead)
async def create_campaign(
    data: CampaignCreate, session: SessionDep, _principal: CampaignsManage, response: Response
):
    campaign = await service.create_campaign(session=session, data=data)
    set_etag(response, campaign.id, campaign.version)
    return campaign


@router.get("", response_model=CampaignPage)
async def list_campaigns(
    session: ReadSessionDep,
    _principal: CampaignsRead,
    channel: SourceChannel | None = None,
    sort: Literal["id", "-id", "name", "-name", "created_at", "-created_at"] = "id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    rows = await service.list_campaigns(
        session=session, channel=channel, sort=sort, cursor=cursor, limit=limit
    )
    items, next_cursor = CAMPAIGN_KEYSET.page(rows, sort=sort, limit=limit)
    return CampaignPage(items=items, next_cursor=next_cursor)


@router.get("/funnel", response_model=FunnelReport)
async def funnel_report(
    session: ReadSessionDep,
    _principal: CampaignsRead,
    group_by: Literal["campaign", "channel"] = "campaign",
    since: Since = None,
    until: Until = None,
):
    """Applied, screened, activated, activation rate, median time to activate, cost per active contributor,
    of the people who applied in [since, until) (either end may be open)."""
    return await service.funnel_report(session=session, group_by=group_by, since=since, until=until)


@router.get("/{campaign_id}", response_model=CampaignRead)
async def read_campaign(campaign: CampaignToRead, response: Response):
    set_etag(response, campaign.id, campaign.version)
    return campaign


@router.patch("/{campaign_id}", response_model=CampaignRead)
async def update_campaign(
    campaign: CampaignToEdit,
    data: CampaignUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
):
    check_if_match(if_match, resource_id=campaign.id, version=campaign.version)
    campaign = await service.update_campaign(session=session, campaign=campaign, data=data)
    set_etag(response, campaign.id, campaign.version)
    return campaign


@router.get("/{campaign_id}/funnel", response_model=CampaignFunnel)
async def campaign_funnel(campaign: CampaignToRead, session: ReadSessionDep):
    return await service.campaign_funnel(session=session, campaign=campaign)
