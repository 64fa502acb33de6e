"""A rate card line against its market benchmark (services/console/rules/rates.py)."""

import pytest

from services.console.rules.rates import against_market, matching_benchmark

BENCHMARK = {
    "unit": "task",
    "currency": "USD",
    "region": "APAC",
    "p25": "0.40",
    "median": "0.50",
    "p75": "0.60",
}


@pytest.mark.parametrize(
    ("price", "band", "percent"),
    [
        ("0.30", "below p25", -40.0),
        ("0.45", "p25 to median", -10.0),
        ("0.55", "median to p75", 10.0),
        ("0.75", "above p75", 50.0),
    ],
)
def test_a_price_falls_in_a_quartile_band_and_is_measured_against_the_median(price, band, percent):
    position = against_market(price, BENCHMARK)

    assert position["band"] == band and position["vs_median_percent"] == pytest.approx(percent)


def test_only_a_benchmark_in_the_same_unit_and_currency_compares():
    line = {"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.5"}

    assert matching_benchmark(line, [{**BENCHMARK, "currency": "EUR"}], currency="USD") is None
    assert matching_benchmark(line, [{**BENCHMARK, "unit": "hour"}, BENCHMARK], currency="USD") == BENCHMARK
    assert against_market("0.5", None) is None
