"""Benchmark rules: where a price sits against the market's quartiles."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from services.vendors.rules.money import ensure_decimal


class BenchmarkBand(StrEnum):
    BELOW_P25 = "below_p25"
    P25_MEDIAN = "p25_median"
    MEDIAN_P75 = "median_p75"
    ABOVE_P75 = "above_p75"


@dataclass(frozen=True)
class BenchmarkComparison:
    """A price against a market benchmark: signed % vs the median (1 dp) and its quartile band."""

    price: Decimal
    median: Decimal
    difference: Decimal
    percent_vs_median: Decimal
    band: BenchmarkBand


_ONE_DP = Decimal("0.1")


def compare_to_benchmark(
    price: Decimal, *, p25: Decimal, median: Decimal, p75: Decimal
) -> BenchmarkComparison:
    """Return how far ``price`` is above (+) or below (−) the median in %, 1 dp, and its quartile band.

    Bands: ``below_p25`` if price < p25; ``p25_median`` if p25 ≤ price ≤ median; ``median_p75`` if
    median < price ≤ p75; ``above_p75`` if price > p75. Percent = (price − median) / median × 100,
    rounded ROUND_HALF_UP to one decimal place.
    """
    value = ensure_decimal(price, field="price")
    q1 = ensure_decimal(p25, field="p25")
    q2 = ensure_decimal(median, field="median")
    q3 = ensure_decimal(p75, field="p75")
    if q2 <= 0:
        raise ValueError(f"benchmark median must be > 0, got {q2}")
    if not q1 <= q2 <= q3:
        raise ValueError(f"benchmark must satisfy p25 <= median <= p75, got {q1}, {q2}, {q3}")
    if value < q1:
        band = BenchmarkBand.BELOW_P25
    elif value <= q2:
        band = BenchmarkBand.P25_MEDIAN
    elif value <= q3:
        band = BenchmarkBand.MEDIAN_P75
    else:
        band = BenchmarkBand.ABOVE_P75
    percent = ((value - q2) * 100 / q2).quantize(_ONE_DP, rounding=ROUND_HALF_UP)
    if percent.is_zero():
        percent = percent.copy_abs()
    return BenchmarkComparison(
        price=value, median=q2, difference=value - q2, percent_vs_median=percent, band=band
    )
