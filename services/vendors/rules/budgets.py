"""Budget rules: spend position and forecast at completion from the measured cost per unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.vendors.rules.money import ensure_decimal, quantize_money


@dataclass(frozen=True)
class WorkLeft:
    """What the budget's project still needs and what a unit of it costs this budget.

    `remaining_units`: the project's units not yet accepted — every task at its overlap (raised overlap
    included) less the accepted answers, so answers awaiting review and rejected ones to redo count.
    `share`: the part of those units this budget pays for — its priced accepted units ÷ every accepted
    unit of the project in the period (a vendor keeps its share of the work; 1 before any acceptance).
    `contracted_unit_price`: the price of the next unit by the contract, used before anything is measured.
    """

    remaining_units: Decimal
    share: Decimal
    contracted_unit_price: Decimal | None = None


@dataclass(frozen=True)
class BudgetPosition:
    spend: Decimal
    remaining: Decimal
    utilisation: Decimal
    elapsed_days: int
    total_days: int
    burn_rate_per_day: Decimal
    cost_per_unit: Decimal | None
    units_to_complete: Decimal
    forecast_basis: str
    forecast_at_completion: Decimal
    forecast_exceeds_budget: bool
    cap_reached: bool


def budget_position(
    *,
    amount: Decimal,
    spend: Decimal,
    priced_units: Decimal,
    work_left: WorkLeft,
    currency: str,
    period_start: date,
    period_end: date,
    today: date,
) -> BudgetPosition:
    """Forecast at completion = spend + cost per unit × the units this budget still pays for.

    The cost per unit is measured (spend ÷ priced accepted units); before the first accepted unit it is
    the contracted price (`forecast_basis` says which, `none` when neither is known and the forecast is
    the spend). After the period nothing more is charged to it: the forecast is the spend. The burn
    rate (spend ÷ elapsed days, inclusive) is reported for pacing, never used to forecast.
    """
    budget = ensure_decimal(amount, field="amount")
    spent = ensure_decimal(spend, field="spend")
    if period_end < period_start:
        raise ValueError("period_end must not be before period_start")
    total_days = (period_end - period_start).days + 1
    elapsed = min(max((today - period_start).days + 1, 0), total_days)
    burn = spent / elapsed if elapsed else Decimal(0)
    unit_cost, basis = _unit_cost(spent, priced_units, work_left.contracted_unit_price)
    units = work_left.remaining_units * work_left.share if today <= period_end else Decimal(0)
    forecast = spent + unit_cost * units if unit_cost is not None else spent
    return BudgetPosition(
        spend=quantize_money(spent, currency),
        remaining=quantize_money(budget - spent, currency),
        utilisation=(spent / budget).quantize(Decimal("0.0001")) if budget else Decimal(0),
        elapsed_days=elapsed,
        total_days=total_days,
        burn_rate_per_day=quantize_money(burn, currency),
        cost_per_unit=unit_cost.quantize(Decimal("0.000001")) if unit_cost is not None else None,
        units_to_complete=units.quantize(Decimal("0.01")),
        forecast_basis=basis,
        forecast_at_completion=quantize_money(forecast, currency),
        forecast_exceeds_budget=forecast > budget,
        cap_reached=spent >= budget,
    )


def _unit_cost(
    spend: Decimal, priced_units: Decimal, contracted: Decimal | None
) -> tuple[Decimal | None, str]:
    if priced_units > 0:
        return spend / priced_units, "measured"
    if contracted is not None:
        return contracted, "contracted"
    return None, "none"


def share_of_work(*, priced_units: Decimal, project_accepted_units: Decimal) -> Decimal:
    """The budget's part of the project's accepted units in the period; all of it before any acceptance."""
    if project_accepted_units <= 0:
        return Decimal(1)
    return min(priced_units / project_accepted_units, Decimal(1))
