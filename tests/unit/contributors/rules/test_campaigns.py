"""Recruitment funnel figures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.contributors.rules.campaigns import (
    FunnelFigures,
    FunnelRecord,
    funnel_by_campaign,
    funnel_by_channel,
    funnel_figures,
)


def day(d: int, hour: int = 0) -> datetime:
    return datetime(2026, 3, d, hour, tzinfo=UTC)


# A: 3 days to activate, B: 1.5 days, C: screened only, D: applied only, E: 5 days, no screened_at (legacy)
A = FunnelRecord(
    applied_at=day(1), screened_at=day(2), activated_at=day(4), channel="discord", campaign="spring"
)
B = FunnelRecord(
    applied_at=day(1), screened_at=day(1, 12), activated_at=day(2, 12), channel="discord", campaign="spring"
)
C = FunnelRecord(applied_at=day(1), screened_at=day(2), channel="email", campaign="spring")
D = FunnelRecord(applied_at=day(1), channel="email", campaign="autumn")
E = FunnelRecord(applied_at=day(1), activated_at=day(6), channel="web")
ALL = [A, B, C, D, E]


def test_counts_rate_and_median_over_all_records() -> None:
    figures = funnel_figures(ALL)
    assert (figures.applied, figures.screened, figures.activated) == (5, 4, 3)
    assert figures.activation_rate == 0.6
    assert figures.median_seconds_to_activate == 259_200.0  # median of 1.5, 3 and 5 days = 3 days


def test_activated_record_without_screened_at_still_counts_as_screened() -> None:
    assert funnel_figures([E]).screened == 1


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert funnel_figures([A, B]).median_seconds_to_activate == 194_400.0  # (3 + 1.5) / 2 days


def test_cost_per_active_is_rounded_to_cents() -> None:
    assert funnel_figures(ALL, budget=Decimal("1000.00")).cost_per_active == Decimal("333.33")


def test_cost_per_active_rounds_half_to_even() -> None:
    assert funnel_figures([A, B], budget=Decimal("1.25")).cost_per_active == Decimal("0.62")


def test_cost_per_active_with_a_custom_quantum() -> None:
    assert funnel_figures(ALL, budget=Decimal("1000"), quantum=Decimal("1")).cost_per_active == Decimal("333")


def test_cost_per_active_is_none_when_nobody_activated() -> None:
    assert funnel_figures([C, D], budget=Decimal("500")).cost_per_active is None


def test_cost_per_active_is_none_without_a_budget() -> None:
    assert funnel_figures(ALL).cost_per_active is None


def test_float_budget_is_rejected() -> None:
    with pytest.raises(ValueError, match="Decimal"):
        funnel_figures(ALL, budget=1000.0)  # type: ignore[arg-type]


def test_no_records_gives_zero_counts_and_no_ratios() -> None:
    assert funnel_figures([], budget=Decimal("100")) == FunnelFigures(
        applied=0,
        screened=0,
        activated=0,
        activation_rate=None,
        median_seconds_to_activate=None,
        cost_per_active=None,
    )


def test_applicants_without_activation_have_rate_zero_and_no_median() -> None:
    figures = funnel_figures([C, D])
    assert (figures.activation_rate, figures.median_seconds_to_activate) == (0.0, None)


def test_records_may_be_a_one_shot_iterator() -> None:
    assert funnel_figures(iter(ALL)).activated == 3


def test_figures_per_channel() -> None:
    by_channel = funnel_by_channel(ALL)
    assert {channel: (f.applied, f.activated) for channel, f in by_channel.items()} == {
        "discord": (2, 2),
        "email": (2, 0),
        "web": (1, 1),
    }


def test_figures_per_campaign_use_each_campaigns_budget() -> None:
    by_campaign = funnel_by_campaign(ALL, budgets={"spring": Decimal("900"), "autumn": Decimal("300")})
    assert {campaign: (f.applied, f.activated, f.cost_per_active) for campaign, f in by_campaign.items()} == {
        "spring": (3, 2, Decimal("450.00")),
        "autumn": (1, 0, None),
        None: (1, 1, None),
    }


def test_activation_before_application_is_rejected() -> None:
    with pytest.raises(ValueError, match="activated_at is before applied_at"):
        FunnelRecord(applied_at=day(5), activated_at=day(4))


def test_naive_application_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="applied_at must be timezone-aware"):
        FunnelRecord(applied_at=datetime(2026, 3, 1))
