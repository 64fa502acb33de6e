"""Budget position: forecast at completion from the measured cost per unit and the work left."""

from datetime import date
from decimal import Decimal

from services.vendors.rules.budgets import WorkLeft, budget_position, share_of_work

JANUARY = {"period_start": date(2026, 1, 1), "period_end": date(2026, 1, 31)}
NOTHING_LEFT = WorkLeft(remaining_units=Decimal(0), share=Decimal(1))


def position(*, amount="1000", spend="0", priced_units="0", work_left=NOTHING_LEFT, today=date(2026, 1, 10),
             currency="USD"):  # fmt: skip
    return budget_position(amount=Decimal(amount), spend=Decimal(spend), priced_units=Decimal(priced_units),
                           work_left=work_left, currency=currency, today=today, **JANUARY)  # fmt: skip


def test_forecast_is_spend_plus_the_measured_cost_per_unit_times_the_units_left():
    # 100.00 for 200 units: 0.50 a unit; 1,000 units left, all this budget's → 100 + 500.
    result = position(spend="100", priced_units="200", work_left=WorkLeft(Decimal(1000), Decimal(1)))

    assert result.cost_per_unit == Decimal("0.500000") and result.forecast_basis == "measured"
    assert result.units_to_complete == Decimal("1000.00")
    assert result.forecast_at_completion == Decimal("600.00") and result.forecast_exceeds_budget is False


def test_the_burn_rate_does_not_move_the_forecast():
    # The same spend on day 2 and on day 30 forecasts the same: what is left decides, not the calendar.
    left = WorkLeft(Decimal(100), Decimal(1))
    early = position(spend="50", priced_units="100", work_left=left, today=date(2026, 1, 2))
    late = position(spend="50", priced_units="100", work_left=left, today=date(2026, 1, 30))

    assert early.burn_rate_per_day == Decimal("25.00") and late.burn_rate_per_day == Decimal("1.67")
    assert early.forecast_at_completion == late.forecast_at_completion == Decimal("100.00")


def test_a_vendor_budget_forecasts_its_share_of_the_work_left():
    # The vendor did 30 of the project's 120 accepted units: it is forecast a quarter of the 400 left.
    share = share_of_work(priced_units=Decimal(30), project_accepted_units=Decimal(120))
    result = position(spend="15", priced_units="30", work_left=WorkLeft(Decimal(400), share))

    assert share == Decimal("0.25") and result.units_to_complete == Decimal("100.00")
    assert result.forecast_at_completion == Decimal("65.00")


def test_before_anything_is_accepted_the_contracted_price_forecasts():
    left = WorkLeft(Decimal(3000), share_of_work(priced_units=Decimal(0), project_accepted_units=Decimal(0)),
                    contracted_unit_price=Decimal("0.40"))  # fmt: skip
    result = position(amount="1000", work_left=left)

    assert result.forecast_basis == "contracted" and result.forecast_at_completion == Decimal("1200.00")
    assert result.forecast_exceeds_budget is True and result.cap_reached is False


def test_without_a_measured_or_contracted_price_the_forecast_is_the_spend():
    result = position(spend="0", work_left=WorkLeft(Decimal(3000), Decimal(1)))

    assert result.forecast_basis == "none" and result.cost_per_unit is None
    assert result.forecast_at_completion == Decimal("0.00")


def test_after_the_period_the_forecast_is_the_spend():
    result = position(spend="700", priced_units="1400", work_left=WorkLeft(Decimal(500), Decimal(1)),
                      today=date(2026, 3, 1))  # fmt: skip

    assert result.forecast_at_completion == Decimal("700.00") and result.elapsed_days == 31
    assert result.units_to_complete == Decimal("0.00")


def test_before_the_period_nothing_has_burned():
    result = position(today=date(2025, 12, 1))

    assert result.elapsed_days == 0 and result.burn_rate_per_day == Decimal("0.00")


def test_cap_is_reached_when_spend_equals_the_amount():
    result = position(amount="500", spend="500", priced_units="1000", currency="JPY", today=date(2026, 1, 31))

    assert result.cap_reached is True and result.remaining == Decimal("0")


def test_amounts_are_rounded_to_the_currency_minor_unit():
    result = position(amount="10", spend="1", priced_units="3", currency="KWD", today=date(2026, 1, 3),
                      work_left=WorkLeft(Decimal(1), Decimal(1)))  # fmt: skip

    assert result.burn_rate_per_day == Decimal("0.333")
    assert result.forecast_at_completion == Decimal("1.333")
