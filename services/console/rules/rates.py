"""A rate card line against its market benchmark (p25 / median / p75 for the task type, language and
unit, in the contract's currency)."""

from __future__ import annotations

from decimal import Decimal


def matching_benchmark(line: dict, benchmarks: list[dict], *, currency: str) -> dict | None:
    """The benchmark for the same unit and currency (a price in another currency compares to nothing)."""
    for benchmark in benchmarks:
        if benchmark.get("unit") == line.get("unit") and benchmark.get("currency") == currency:
            return benchmark
    return None


def against_market(price: str | Decimal, benchmark: dict | None) -> dict | None:
    """How far the price is from the median (percent) and in which quartile band it falls."""
    if benchmark is None:
        return None
    value = Decimal(str(price))
    p25, median, p75 = (Decimal(str(benchmark[key])) for key in ("p25", "median", "p75"))
    if value < p25:
        band = "below p25"
    elif value <= median:
        band = "p25 to median"
    elif value <= p75:
        band = "median to p75"
    else:
        band = "above p75"
    return {"vs_median_percent": float((value - median) / median * 100), "band": band, **benchmark}


def rate_chart(rows: list[dict]) -> dict:
    """Each line's contracted price beside the market median (and the p25-p75 band's ends)."""
    labels = [f"{r['line']['task_type']} {r['line']['language']} /{r['line']['unit']}" for r in rows]

    def market(key: str) -> list:
        return [float(r["market"][key]) if r["market"] else None for r in rows]

    return {
        "type": "bar",
        "labels": labels,
        "datasets": [
            {
                "label": "contracted",
                "data": [float(r["line"]["unit_price"]) for r in rows],
                "backgroundColor": "#1f6feb",
            },
            {"label": "market median", "data": market("median"), "backgroundColor": "#98a2b3"},
            {
                "label": "p25",
                "data": market("p25"),
                "type": "line",
                "showLine": False,
                "borderColor": "#067647",
            },
            {
                "label": "p75",
                "data": market("p75"),
                "type": "line",
                "showLine": False,
                "borderColor": "#b42318",
            },
        ],
    }
