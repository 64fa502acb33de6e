from decimal import Decimal as D

import pytest

from services.vendors.rules.rate_cards import RateLine, Tier, match_rate_line, price_for_units


def tiered_line() -> RateLine:
    return RateLine("bbox", "en", "task", D("0.50"), tiers=((1000, D("0.40")), (5000, D("0.30"))))


# --- price_for_units -------------------------------------------------------------------------------


def test_line_without_tiers_is_units_times_base_price():
    line = RateLine("bbox", "en", "task", D("0.50"))

    assert price_for_units(line, 1500, "USD") == D("750.00")


def test_units_inside_base_band_use_base_price():
    assert price_for_units(tiered_line(), 999, "USD") == D("499.50")


def test_tier_boundary_itself_is_still_all_base_price():
    assert price_for_units(tiered_line(), 1000, "USD") == D("500.00")


def test_graduated_pricing_prices_only_units_above_threshold_at_tier_price():
    # 1000 × 0.50 + 500 × 0.40; all-units volume pricing would give 1500 × 0.40 = 600.00.
    assert price_for_units(tiered_line(), 1500, "USD") == D("700.00")


def test_graduated_pricing_spans_every_tier():
    # 1000 × 0.50 + 4000 × 0.40 + 1000 × 0.30 = 500 + 1600 + 300
    assert price_for_units(tiered_line(), 6000, "USD") == D("2400.00")


def test_fractional_hours_are_priced_pro_rata():
    line = RateLine("transcription", "fr", "hour", D("12.00"), tiers=[(40, D("10.00"))])

    # 40 × 12.00 + 2.5 × 10.00
    assert price_for_units(line, D("42.5"), "EUR") == D("505.00")


def test_total_is_rounded_once_not_per_unit():
    line = RateLine("classify", "en", "item", D("0.335"))

    # 3 × 0.335 = 1.005 → 1.01; rounding each unit first would give 3 × 0.34 = 1.02.
    assert str(price_for_units(line, 3, "USD")) == "1.01"


def test_total_is_rounded_to_the_currency_minor_unit():
    line = RateLine("bbox", "ja", "task", D("12.5"))

    assert str(price_for_units(line, 3, "JPY")) == "38"


def test_zero_units_cost_zero():
    assert str(price_for_units(tiered_line(), 0, "USD")) == "0.00"


def test_negative_units_are_rejected():
    with pytest.raises(ValueError, match="units"):
        price_for_units(tiered_line(), -1, "USD")


def test_float_units_are_rejected():
    with pytest.raises(TypeError):
        price_for_units(tiered_line(), 1.5, "USD")


def test_unknown_currency_is_rejected():
    with pytest.raises(ValueError, match="QQQ"):
        price_for_units(tiered_line(), 1, "QQQ")


# --- RateLine validation ---------------------------------------------------------------------------


def test_tier_pairs_are_stored_as_tier_objects():
    assert tiered_line().tiers == (Tier(D(1000), D("0.40")), Tier(D(5000), D("0.30")))


def test_tiers_must_strictly_increase():
    with pytest.raises(ValueError, match="increasing"):
        RateLine("bbox", "en", "task", D("0.50"), tiers=((1000, D("0.40")), (1000, D("0.30"))))


def test_tier_cannot_start_at_zero():
    with pytest.raises(ValueError, match="> 0"):
        Tier(0, D("0.40"))


def test_unit_must_be_task_hour_or_item():
    with pytest.raises(ValueError, match="page"):
        RateLine("bbox", "en", "page", D("0.50"))


def test_float_price_is_rejected():
    with pytest.raises(TypeError):
        RateLine("bbox", "en", "task", 0.5)


def test_negative_price_is_rejected():
    with pytest.raises(ValueError):
        RateLine("bbox", "en", "task", D("-0.01"))


# --- match_rate_line -------------------------------------------------------------------------------

WILD = RateLine("bbox", "*", "task", D("0.45"))
EN = RateLine("bbox", "en", "task", D("0.50"))
EN_HOURLY = RateLine("bbox", "en", "hour", D("9.00"))


def test_exact_language_wins_over_wildcard_listed_first():
    assert match_rate_line([WILD, EN], task_type="bbox", language="en", unit="task") is EN


def test_wildcard_is_used_when_no_exact_language():
    assert match_rate_line([WILD, EN], task_type="bbox", language="de", unit="task") is WILD


def test_unit_must_match():
    assert match_rate_line([WILD, EN, EN_HOURLY], task_type="bbox", language="en", unit="hour") is EN_HOURLY


def test_no_match_returns_none():
    assert match_rate_line([WILD, EN], task_type="ner", language="en", unit="task") is None


def test_language_match_is_case_insensitive():
    line = RateLine("bbox", "en-US", "task", D("0.55"))

    assert match_rate_line([WILD, line], task_type="bbox", language="en-us", unit="task") is line


def test_a_regional_tag_is_priced_at_its_languages_line_before_the_wildcard():
    assert match_rate_line([WILD, EN], task_type="bbox", language="en-GB", unit="task") is EN


def test_the_exact_tag_is_preferred_to_its_language():
    gb = RateLine("bbox", "en-GB", "task", D("0.70"))

    assert match_rate_line([WILD, EN, gb], task_type="bbox", language="en-gb", unit="task") is gb


def test_duplicate_exact_lines_are_ambiguous():
    with pytest.raises(ValueError, match="ambiguous"):
        match_rate_line(
            [EN, RateLine("bbox", "EN", "task", D("0.60"))], task_type="bbox", language="en", unit="task"
        )
