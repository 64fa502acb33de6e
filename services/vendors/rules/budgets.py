"""Budget rules: burn rate and forecast at completion from spend to date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.vendors.rules.money import ensure_decimal, quantize_money


@dataclass(frozen=True)
class BudgetPosition:
    spend: Decimal
    remaining: Decimal
    utilisation: Decimal
    elapsed_days: int
    total_days: int
    burn_rate_per_day: Decimal
    forecast_at_completion: Decimal
    forecast_exceeds_budget: bool
    cap_reached: bool


def budget_position(
    *, amount: Decimal, spend: Decimal, currency: str, period_start: date, period_end: date, today: date
) -> BudgetPosition:
    """Linear burn: spend ÷ elapsed days, projected over the whole period (days inclusive at both ends).

    Before the period starts nothing has burned; after it ends the forecast is the spend itself.
    """
    budget = ensure_decimal(amount, field="amount")
    spent = ensure_decimal(spend, field="spend")
    if period_end < period_start:
        raise ValueError("period_end must not be before period_start")
    total_days = (period_end - period_start).days + 1
    elapsed = min(max((today - period_start).days + 1, 0), total_days)
    burn = spent / elapsed if elapsed else Decimal(0)
    forecast = spent if elapsed >= total_days else burn * total_days
    return BudgetPosition(
        spend=quantize_money(spent, currency),
        remaining=quantize_money(budget - spent, currency),
        utilisation=(spent / budget).quantize(Decimal("0.0001")) if budget else Decimal(0),
        elapsed_days=elapsed,
        total_days=total_days,
        burn_rate_per_day=quantize_money(burn, currency),
        forecast_at_completion=quantize_money(forecast, currency),
        forecast_exceeds_budget=forecast > budget,
        cap_reached=spent >= budget,
    )
