"""Scorecards: a vendor's measured period against its contract's SLA terms, credits and label cost."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Scorecard
from services.vendors.repository import contracts as contract_repository
from services.vendors.repository import invoices as invoice_repository
from services.vendors.repository import scorecards as scorecard_repository
from services.vendors.rules.kpis import invoiced_cost_per_accepted_label, quantised
from services.vendors.rules.money import zero
from services.vendors.rules.scorecards import (
    cost_per_accepted_label,
    measured_from,
    score_vendor,
    stat_number,
)
from services.vendors.schemas.scorecards import ScorecardCreate
from services.vendors.service import production, subscriptions
from services.vendors.service.common import found, jsonable
from services.vendors.service.contracts import sla_terms_of
from services.vendors.service.kpis import priced_production, spend_rows
from services.vendors.service.vendors import get_vendor
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, NotFound
from shared.http import ServiceClient
from shared.pagination import PageParams, page_of


async def compute_scorecard(
    *, session: AsyncSession, services: ServiceClient, principal: Principal, data: ScorecardCreate
) -> Scorecard:
    """Score the contract active at the period start on the KPIs the tasks service measured; credits apply to
    the approved invoices of the period; cost per accepted label on both bases (rules.kpis)."""
    await get_vendor(session=session, principal=principal, vendor_id=data.vendor_id)
    contract = await contract_repository.active_contract_on(
        session, vendor_id=data.vendor_id, on=data.period_start
    )
    if contract is None:
        raise NotFound(f"vendor {data.vendor_id} has no active contract on {data.period_start}")
    stats = await production.vendor_stats(
        services, vendor_id=data.vendor_id, start=data.period_start, end=data.period_end
    )
    days = (data.period_end - data.period_start).days + 1
    measured = measured_from(stats, days=days)
    invoices = await invoice_repository.approved_invoices(
        session, vendor_id=data.vendor_id, period_start=data.period_start, period_end=data.period_end
    )
    in_currency = [i for i in invoices if i.currency == contract.currency]
    invoiced = sum((i.total for i in in_currency), zero(contract.currency))
    card = score_vendor(sla_terms_of(contract), measured, invoiced, contract.currency)
    accepted = int(stat_number(stats, "accepted_units") or 0)
    rejected = int(stat_number(stats, "rejected_units") or 0)
    # Priced as the KPI report prices it: the same production, the contract active at the period start.
    items = await production.production(
        services, vendor_id=data.vendor_id, start=data.period_start, end=data.period_end
    )
    priced = spend_rows(await priced_production(session, items, on=data.period_start))
    contracted = next((r for r in priced if r["scope"] == "vendor"), {})
    result = {
        "currency": contract.currency,
        "measured": {k: v for k, v in measured.__dict__.items()},
        "terms": [t.__dict__ for t in card.terms],
        "overall_attainment": card.overall_attainment,
        "all_met": card.all_met,
        "invoiced_amount": invoiced,
        "credit_percent": card.credit_percent,
        "credit_amount": card.credit_amount,
        "accepted_units": accepted,
        "rejected_units": rejected,
        "delivery_on_time_rate": quantised(stats.get("delivery_on_time_rate")),
        "contracted_spend": contracted.get("spend"),
        "cost_per_accepted_label_contracted": contracted.get("cost_per_accepted_label_contracted"),
        "cost_per_accepted_label_invoiced": invoiced_cost_per_accepted_label(
            invoiced=invoiced if in_currency else None, accepted_units=accepted
        ),
        # The invoiced cost's unit economics: what rejected labels added to it.
        "invoiced_label_cost": cost_per_accepted_label(invoiced, accepted, rejected).__dict__,
    }
    row = Scorecard(
        vendor_id=data.vendor_id,
        contract_id=contract.id,
        period_start=data.period_start,
        period_end=data.period_end,
        result=jsonable(result),
    )
    session.add(row)
    await session.flush()
    return row


async def get_scorecard(*, session: AsyncSession, principal: Principal, scorecard_id: int) -> Scorecard:
    row = await scorecard_repository.get_scorecard(session, principal=principal, scorecard_id=scorecard_id)
    return found(row, "scorecard", scorecard_id)


async def publish_scorecard(*, session: AsyncSession, scorecard: Scorecard) -> Scorecard:
    if scorecard.status == "published":
        raise Conflict(f"scorecard {scorecard.id} is already published")
    scorecard.status = "published"
    scorecard.published_at = utcnow()
    await session.flush()
    await subscriptions.emit(session, "scorecard.published", {"scorecard": jsonable({
        "id": scorecard.id, "vendor_id": scorecard.vendor_id, "contract_id": scorecard.contract_id,
        "period_start": scorecard.period_start, "period_end": scorecard.period_end, **scorecard.result})})  # fmt: skip
    return scorecard


async def list_scorecards(
    *, session: AsyncSession, principal: Principal, page: PageParams, vendor_id: int | None
) -> tuple[list[Scorecard], int | None]:
    rows = await scorecard_repository.list_scorecards(
        session, principal=principal, page=page, vendor_id=vendor_id
    )
    return page_of(rows, limit=page.limit)
