from decimal import Decimal as D

import pytest

from services.vendors.rules.benchmarks import BenchmarkBand, compare_to_benchmark

BENCH = {"p25": D("0.80"), "median": D("1.00"), "p75": D("1.20")}


@pytest.mark.parametrize(
    ("price", "percent", "band"),
    [
        (D("0.75"), D("-25.0"), BenchmarkBand.BELOW_P25),
        (D("0.80"), D("-20.0"), BenchmarkBand.P25_MEDIAN),
        (D("1.00"), D("0.0"), BenchmarkBand.P25_MEDIAN),
        (D("1.10"), D("10.0"), BenchmarkBand.MEDIAN_P75),
        (D("1.20"), D("20.0"), BenchmarkBand.MEDIAN_P75),
        (D("1.21"), D("21.0"), BenchmarkBand.ABOVE_P75),
    ],
)
def test_percent_vs_median_and_band(price, percent, band):
    result = compare_to_benchmark(price, **BENCH)

    assert (result.percent_vs_median, result.band) == (percent, band)


def test_percent_is_rounded_half_up_to_one_decimal():
    # +0.05 % exactly; round-half-even would give 0.0.
    assert compare_to_benchmark(D("1.0005"), **BENCH).percent_vs_median == D("0.1")


def test_percent_below_median_rounds_to_one_decimal():
    # (1 − 3) / 3 × 100 = −66.666…
    result = compare_to_benchmark(D("1"), p25=D("2"), median=D("3"), p75=D("4"))

    assert str(result.percent_vs_median) == "-66.7"


def test_price_at_median_prints_as_positive_zero():
    assert str(compare_to_benchmark(D("1.00"), **BENCH).percent_vs_median) == "0.0"


def test_difference_is_price_minus_median():
    assert compare_to_benchmark(D("0.93"), **BENCH).difference == D("-0.07")


def test_median_must_be_positive():
    with pytest.raises(ValueError, match="median"):
        compare_to_benchmark(D("1"), p25=D("0"), median=D("0"), p75=D("1"))


def test_quartiles_must_be_ordered():
    with pytest.raises(ValueError, match="p25 <= median <= p75"):
        compare_to_benchmark(D("1"), p25=D("1.5"), median=D("1"), p75=D("2"))


def test_band_values_are_the_api_strings():
    assert [band.value for band in BenchmarkBand] == ["below_p25", "p25_median", "median_p75", "above_p75"]
