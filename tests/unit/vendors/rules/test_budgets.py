"""Budget burn rate and forecast at completion."""

from datetime import date
from decimal import Decimal

from services.vendors.rules.budgets import budget_position

JANUARY = {"period_start": date(2026, 1, 1), "period_end": date(2026, 1, 31)}


def test_forecast_projects_the_burn_rate_over_the_whole_period():
    position = budget_position(
        amount=Decimal("1000"), spend=Decimal("100"), currency="USD", today=date(2026, 1, 10), **JANUARY
    )

    assert position.burn_rate_per_day == Decimal("10.00")
    assert position.forecast_at_completion == Decimal("310.00")
    assert position.forecast_exceeds_budget is False


def test_forecast_over_the_amount_is_flagged_before_the_cap_is_reached():
    position = budget_position(
        amount=Decimal("1000"), spend=Decimal("400"), currency="USD", today=date(2026, 1, 10), **JANUARY
    )

    assert position.forecast_exceeds_budget is True and position.cap_reached is False


def test_after_the_period_the_forecast_is_the_spend():
    position = budget_position(
        amount=Decimal("1000"), spend=Decimal("700"), currency="USD", today=date(2026, 3, 1), **JANUARY
    )

    assert position.forecast_at_completion == Decimal("700.00") and position.elapsed_days == 31


def test_before_the_period_nothing_has_burned():
    position = budget_position(
        amount=Decimal("1000"), spend=Decimal("0"), currency="USD", today=date(2025, 12, 1), **JANUARY
    )

    assert position.elapsed_days == 0 and position.burn_rate_per_day == Decimal("0.00")


def test_cap_is_reached_when_spend_equals_the_amount():
    position = budget_position(
        amount=Decimal("500"), spend=Decimal("500"), currency="JPY", today=date(2026, 1, 31), **JANUARY
    )

    assert position.cap_reached is True and position.remaining == Decimal("0")


def test_amounts_are_rounded_to_the_currency_minor_unit():
    position = budget_position(
        amount=Decimal("10"), spend=Decimal("1"), currency="KWD", today=date(2026, 1, 3), **JANUARY
    )

    assert position.burn_rate_per_day == Decimal("0.333")
