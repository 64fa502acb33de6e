"""Rules of recruitment campaigns and the funnel report (applied → screened → activated, cost per active)."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Campaign
from services.contributors.repository import campaigns as repository
from services.contributors.rules.campaigns import FunnelFigures, FunnelRecord, funnel_figures
from services.contributors.schemas.campaigns import (
    CampaignCreate,
    CampaignFunnel,
    CampaignUpdate,
    FunnelReport,
    FunnelRow,
)
from shared.db import flush_or_conflict, utcnow
from shared.errors import NotFound, Unprocessable
from shared.windows import check_open_window


async def _flush_unique_name(*, session: AsyncSession, campaign: Campaign) -> None:
    await flush_or_conflict(session, conflict=f"a campaign named {campaign.name!r} already exists")


async def create_campaign(*, session: AsyncSession, data: CampaignCreate) -> Campaign:
    campaign = Campaign(**data.model_dump())
    session.add(campaign)
    await _flush_unique_name(session=session, campaign=campaign)
    return campaign


async def get_campaign(*, session: AsyncSession, campaign_id: int, for_update: bool = False) -> Campaign:
    campaign = await repository.get(session, campaign_id=campaign_id, for_update=for_update)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} not found")
    return campaign


async def update_campaign(*, session: AsyncSession, campaign: Campaign, data: CampaignUpdate) -> Campaign:
    changes = data.model_dump(exclude_unset=True)
    merged = {name: getattr(campaign, name) for name in CampaignCreate.model_fields} | changes
    # Re-check the rules that span fields (budget with currency, dates in order) on the result.
    try:
        CampaignCreate.model_validate(merged)
    except ValidationError as exc:
        raise Unprocessable(f"the campaign would be invalid: {exc.errors()[0]['msg']}") from exc
    changes = {k: v for k, v in changes.items() if getattr(campaign, k) != v}
    if not changes:
        return campaign
    for name, value in changes.items():
        setattr(campaign, name, value)
    campaign.version += 1
    campaign.updated_at = utcnow()
    await _flush_unique_name(session=session, campaign=campaign)
    return campaign


async def list_campaigns(
    *, session: AsyncSession, channel: str | None, sort: str, cursor: str | None, limit: int
) -> list[Campaign]:
    return await repository.list_campaigns(session, channel=channel, sort=sort, cursor=cursor, limit=limit)


def _row(key: str | None, figures: FunnelFigures, *, name=None, budget=None, currency=None) -> FunnelRow:
    median = figures.median_seconds_to_activate
    return FunnelRow(
        key=key,
        campaign_name=name,
        applied=figures.applied,
        screened=figures.screened,
        activated=figures.activated,
        activation_rate=None if figures.activation_rate is None else round(figures.activation_rate, 4),
        median_seconds_to_activate=median,
        median_days_to_activate=None if median is None else round(median / 86_400, 2),
        budget=budget,
        currency=currency,
        cost_per_active=figures.cost_per_active,
    )


async def _records(
    *,
    session: AsyncSession,
    applied_from: datetime | None,
    applied_to: datetime | None,
    campaign_id: int | None,
) -> list[tuple[FunnelRecord, int | None]]:
    rows = await repository.funnel_rows(
        session, applied_from=applied_from, applied_to=applied_to, campaign_id=campaign_id
    )
    out = []
    for applied, screened, activated, source, campaign, campaign_channel in rows:
        # The channel a person came through; a campaign's own channel when the person has none.
        channel = source or campaign_channel
        out.append(
            (
                FunnelRecord(
                    applied_at=applied,
                    screened_at=screened,
                    activated_at=activated,
                    channel=channel,
                    campaign=None if campaign is None else str(campaign),
                ),
                campaign,
            )
        )
    return out


def _by(records: list[FunnelRecord], key) -> dict:
    groups: dict = defaultdict(list)
    for record in records:
        groups[key(record)].append(record)
    return groups


def _single_currency(campaigns: list[Campaign]) -> tuple[Decimal | None, str | None]:
    """Summed budget when every campaign has one in the same currency, else no cost figure."""
    if not campaigns or any(c.budget is None for c in campaigns):
        return None, None
    currencies = {c.currency for c in campaigns}
    if len(currencies) != 1:
        return None, None
    return sum((c.budget for c in campaigns), Decimal("0")), currencies.pop()


async def funnel_report(
    *, session: AsyncSession, group_by: str, since: datetime | None, until: datetime | None
) -> FunnelReport:
    """Funnel figures per campaign or per channel of those who applied in [since, until); cost per active
    from the campaigns' budgets."""
    check_open_window(since, until)
    pairs = await _records(session=session, applied_from=since, applied_to=until, campaign_id=None)
    records = [record for record, _ in pairs]
    campaigns = {c.id: c for c in await repository.all_campaigns(session)}
    rows: list[FunnelRow] = []
    if group_by == "campaign":
        for key, group in sorted(
            _by(records, lambda r: r.campaign).items(), key=lambda kv: (kv[0] is None, kv[0] or "")
        ):
            campaign = campaigns.get(int(key)) if key is not None else None
            budget = campaign.budget if campaign else None
            figures = funnel_figures(group, budget=budget)
            rows.append(
                _row(key, figures, name=campaign.name if campaign else None, budget=budget,
                     currency=campaign.currency if campaign else None)
            )  # fmt: skip
    else:
        for key, group in sorted(
            _by(records, lambda r: r.channel).items(), key=lambda kv: (kv[0] is None, kv[0] or "")
        ):
            budget, currency = _single_currency([c for c in campaigns.values() if c.channel == key])
            rows.append(_row(key, funnel_figures(group, budget=budget), budget=budget, currency=currency))
    return FunnelReport(group_by=group_by, since=since, until=until, rows=rows)


async def campaign_funnel(*, session: AsyncSession, campaign: Campaign) -> CampaignFunnel:
    pairs = await _records(session=session, applied_from=None, applied_to=None, campaign_id=campaign.id)
    records = [record for record, _ in pairs]
    total = _row(
        str(campaign.id),
        funnel_figures(records, budget=campaign.budget),
        name=campaign.name,
        budget=campaign.budget,
        currency=campaign.currency,
    )
    by_channel = [
        _row(key, funnel_figures(group))
        for key, group in sorted(
            _by(records, lambda r: r.channel).items(), key=lambda kv: (kv[0] is None, kv[0] or "")
        )
    ]
    return CampaignFunnel(campaign_id=campaign.id, total=total, by_channel=by_channel)
