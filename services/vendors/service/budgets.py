"""Budgets per project (and vendor): spend from measured production × contracted rates, alerts, hard cap."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.events import publisher
from services.vendors.metrics import observe_budget_sweep
from services.vendors.models import Budget
from services.vendors.repository import budgets as budget_repository
from services.vendors.repository import common as common_repository
from services.vendors.repository import contracts as contract_repository
from services.vendors.repository import rate_cards as rate_card_repository
from services.vendors.rules import rate_cards as rate_card_rules
from services.vendors.rules.budgets import WorkLeft, budget_position, share_of_work
from services.vendors.rules.money import zero
from services.vendors.schemas.budgets import BudgetCreate, BudgetUpdate
from services.vendors.service import production, rate_cards, subscriptions
from services.vendors.service.common import found, touch
from services.vendors.service.vendors import get_vendor
from shared.auth import Principal
from shared.db import Database, utcnow
from shared.errors import DomainError, Unprocessable
from shared.http import ServiceClient
from shared.pagination import PageParams, page_of

log = logging.getLogger("labelops.vendors.budgets")

# Production is counted in tasks or items; hours are not measured by the tasks service.
MEASURED_UNITS = ("task", "item")


async def create_budget(
    *, session: AsyncSession, services: ServiceClient, principal: Principal, data: BudgetCreate
) -> Budget:
    """A budget is for a project the tasks service has, and a vendor's budget is in the currency of its
    contract: spend priced in another could never be compared with it (a vendor without a contract yet
    takes any currency)."""
    if await production.project_work(services, project_id=data.project_id) is None:
        raise Unprocessable(
            "the budget's project does not exist",
            errors=[{"pointer": "/project_id", "field": "project_id", "in": "body",
                     "detail": f"no project {data.project_id} in the tasks service"}],
        )  # fmt: skip
    if data.vendor_id is not None:
        await get_vendor(session=session, principal=principal, vendor_id=data.vendor_id)
        # The period usually starts before a new contract (month to date): its end counts too.
        for day in (data.period_start, data.period_end):
            contract = await contract_repository.active_contract_on(session, vendor_id=data.vendor_id, on=day)
            if contract is not None:
                break
        if contract is not None and contract.currency != data.currency:
            raise Unprocessable(
                "the budget's currency differs from the vendor's contract",
                errors=[{"pointer": "/currency", "field": "currency", "in": "body",
                         "detail": f"the active contract is in {contract.currency}"}],
            )  # fmt: skip
    budget = Budget(**data.model_dump())
    session.add(budget)
    await session.flush()
    await publish_cap(session=session, services=services, budget=budget)
    return budget


async def publish_cap(*, session: AsyncSession, services: ServiceClient, budget: Budget) -> None:
    """Tell assignment how many units the hard cap of a vendor's budget buys at its contracted price, so
    `next` stops at the cap itself (budget_cap) instead of a later sweep; `max_units` null: no cap (not a
    hard cap, no contract in its currency or no price for the project's work yet)."""
    if budget.vendor_id is None:
        return  # a project-wide cap spans vendors: the sweep keeps suspending them (shared/README)
    max_units = None
    line = await _cap_price_line(session, services, budget) if budget.hard_cap else None
    if line is not None:
        max_units = rate_card_rules.units_within(line, budget.amount, budget.currency)
    await publisher.publish(
        session,
        "budget.cap_changed",
        {
            "budget_id": budget.id,
            "project_id": budget.project_id,
            "vendor_id": budget.vendor_id,
            "max_units": max_units,
            "period_start": datetime.combine(budget.period_start, time(0), tzinfo=UTC).isoformat(),
            "period_end": datetime.combine(
                budget.period_end + timedelta(days=1), time(0), tzinfo=UTC
            ).isoformat(),
            "changed_at": utcnow().isoformat(),
        },
    )


async def publish_caps_of_vendor(*, session: AsyncSession, services: ServiceClient, vendor_id: int) -> None:
    """A vendor's contract or rate card changed: its hard caps buy another number of units."""
    for budget in await budget_repository.budgets_of_vendor(session, vendor_id=vendor_id):
        await publish_cap(session=session, services=services, budget=budget)


async def _cap_price_line(
    session: AsyncSession, services: ServiceClient, budget: Budget
) -> rate_card_rules.RateLine | None:
    """The price a cap counts units at: the dearest of the vendor's lines for the project's languages, so
    a cap never buys more work than the budget pays for whichever locale the tasks are in."""
    work = await production.project_work(services, project_id=budget.project_id)
    if work is None:
        return None
    task_type, languages = work
    card = await _rate_card(session, budget=budget, vendor_id=budget.vendor_id)
    priced = [
        line for language in languages if (line := _line_for(card, task_type=task_type, language=language))
    ]
    return max(priced, key=lambda line: line.unit_price, default=None)


async def _rate_card(
    session: AsyncSession, *, budget: Budget, vendor_id: int
) -> list[rate_card_rules.RateLine]:
    """The vendor's rate lines from its contract in force at the budget period's start (or, for a period
    that began before the contract, at its end), when that contract is in the budget's currency."""
    contract = None
    for day in (budget.period_start, budget.period_end):
        contract = await contract_repository.active_contract_on(session, vendor_id=vendor_id, on=day)
        if contract is not None:
            break
    if contract is None or contract.currency != budget.currency:
        return []
    return [
        rate_cards.rule_line(r)
        for r in await rate_card_repository.rate_lines(session, contract_id=contract.id)
    ]


def _line_for(
    lines: list[rate_card_rules.RateLine], *, task_type: str, language: str | None
) -> rate_card_rules.RateLine | None:
    """The line pricing the work, in the first measured unit the card prices it in."""
    for unit in MEASURED_UNITS:
        line = rate_card_rules.match_rate_line(lines, task_type=task_type, language=language, unit=unit)
        if line is not None:
            return line
    return None


async def get_budget(*, session: AsyncSession, principal: Principal, budget_id: int) -> Budget:
    row = await budget_repository.get_budget(session, principal=principal, budget_id=budget_id)
    return found(row, "budget", budget_id)


async def measure_spend(*, session: AsyncSession, services: ServiceClient, budget: Budget) -> dict:
    """Accepted units on the project in the period, priced by each vendor's active contract (graduated tiers)."""
    items = await production.production(
        services, vendor_id=budget.vendor_id, start=budget.period_start, end=budget.period_end
    )
    units: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    for item in items:
        if item.project_id == budget.project_id and (budget.vendor_id in (None, item.vendor_id)):
            units[(item.vendor_id, item.task_type, item.language)] += item.accepted_units
    spend = zero(budget.currency)
    priced_units = Decimal(0)
    lines, unpriced = [], []
    cards: dict[int, list[rate_card_rules.RateLine]] = {}
    for (vendor_id, task_type, language), accepted in sorted(units.items()):
        if vendor_id not in cards:
            cards[vendor_id] = await _rate_card(session, budget=budget, vendor_id=vendor_id)
        line = _line_for(cards[vendor_id], task_type=task_type, language=language)
        if line is None:
            unpriced.append(
                {
                    "vendor_id": vendor_id,
                    "task_type": task_type,
                    "language": language,
                    "accepted_units": accepted,
                }
            )
            continue
        amount = rate_card_rules.price_for_units(line, accepted, budget.currency)
        spend += amount
        priced_units += accepted
        lines.append({"vendor_id": vendor_id, "task_type": task_type, "language": language,
                      "accepted_units": accepted, "amount": amount})  # fmt: skip
    position = budget_position(
        amount=budget.amount,
        spend=spend,
        priced_units=priced_units,
        work_left=await _work_left(session, services, budget=budget, priced_units=priced_units),
        currency=budget.currency,
        period_start=budget.period_start,
        period_end=budget.period_end,
        today=utcnow().date(),
    )
    return {
        "budget_id": budget.id,
        "currency": budget.currency,
        "amount": budget.amount,
        **{k: v for k, v in position.__dict__.items()},
        "vendor_ids": sorted({vendor_id for vendor_id, _, _ in units}),
        "lines": lines,
        "unpriced": unpriced,
    }


async def _work_left(
    session: AsyncSession, services: ServiceClient, *, budget: Budget, priced_units: Decimal
) -> WorkLeft:
    project_accepted = await production.project_accepted_units(
        services, project_id=budget.project_id, start=budget.period_start, end=budget.period_end
    )
    contracted = None
    if budget.vendor_id is not None:
        line = await _cap_price_line(session, services, budget)
        if line is not None:
            contracted = line.unit_price  # nothing measured yet: the first units are at the base price
    return WorkLeft(
        remaining_units=await production.units_not_accepted(services, project_id=budget.project_id),
        share=share_of_work(priced_units=priced_units, project_accepted_units=project_accepted),
        contracted_unit_price=contracted,
    )


async def evaluate_budget(*, session: AsyncSession, services: ServiceClient, budget: Budget) -> dict:
    """Alert once when the forecast exceeds the budget; with a hard cap, suspend at the cap, restore below it."""
    report = await measure_spend(session=session, services=services, budget=budget)
    if report["forecast_exceeds_budget"] and budget.alert_sent_at is None:
        budget.alert_sent_at = utcnow()
        await subscriptions.emit(session, "budget.alert", {"budget_id": budget.id, "project_id": budget.project_id,
                            "vendor_id": budget.vendor_id, **{k: report[k] for k in (
                                "currency", "amount", "spend", "forecast_at_completion", "burn_rate_per_day")}})  # fmt: skip
    elif not report["forecast_exceeds_budget"]:
        budget.alert_sent_at = None  # back under: the next overrun alerts again
    suspended = set(budget.suspended_vendor_ids)
    if budget.hard_cap and report["cap_reached"]:
        targets = [budget.vendor_id] if budget.vendor_id is not None else report["vendor_ids"]
        for vendor_id in targets:
            if vendor_id not in suspended:
                reason = f"budget {budget.id} reached its hard cap of {budget.amount} {budget.currency}"
                await production.suspend_vendor(
                    services, project_id=budget.project_id, vendor_id=vendor_id, reason=reason
                )
                suspended.add(vendor_id)
    elif suspended:
        for vendor_id in sorted(suspended):
            await production.restore_vendor(services, project_id=budget.project_id, vendor_id=vendor_id)
        suspended = set()
    budget.suspended_vendor_ids = sorted(suspended)
    await session.flush()
    return {
        **report,
        "alerted": budget.alert_sent_at is not None,
        "suspended_vendor_ids": budget.suspended_vendor_ids,
    }


async def update_budget(
    *, session: AsyncSession, services: ServiceClient, budget: Budget, data: BudgetUpdate
) -> Budget:
    """Raising the amount (or dropping the cap) re-evaluates at once, lifting a hard-cap suspension."""
    values = data.model_dump(exclude_unset=True, exclude_none=True)
    for name, value in values.items():
        setattr(budget, name, value)
    touch(budget)
    await session.flush()
    await publish_cap(session=session, services=services, budget=budget)
    if budget.suspended_vendor_ids or budget.alert_sent_at is not None:
        await evaluate_budget(session=session, services=services, budget=budget)
    return budget


async def sweep_budgets(*, db: Database, services: ServiceClient) -> int:
    """Evaluate every budget whose period covers today, each in its own transaction; returns how many."""
    async with db.read_sessionmaker() as session:
        ids = await budget_repository.budgets_in_force(session, on=utcnow().date())
    reports = []
    for budget_id in ids:
        try:
            async with db.sessionmaker() as session, session.begin():
                budget = await common_repository.get_for_update(session, Budget, row_id=budget_id)
                if budget is not None:
                    reports.append(await evaluate_budget(session=session, services=services, budget=budget))
        except DomainError as exc:
            # The tasks service being down must not stop the other budgets; the next sweep retries.
            log.warning("budget %s not evaluated: %s", budget_id, exc.detail)
    observe_budget_sweep(reports)
    return len(reports)


async def list_budgets(
    *, session: AsyncSession, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Budget], int | None]:
    """Filters: project_id, vendor_id (None: any)."""
    rows = await budget_repository.list_budgets(session, principal=principal, page=page, **filters)
    return page_of(rows, limit=page.limit)
