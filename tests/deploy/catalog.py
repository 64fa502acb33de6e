"""The metric names the rules and dashboards may use: those of deploy/METRICS.md, the catalog checked
against a live scrape (tests/deploy/test_metrics_catalog.py), plus Prometheus's own `up`."""

from __future__ import annotations

import re

from scripts.metrics_catalog import CATALOG, documented

_DOCUMENTED = documented(CATALOG.read_text())
HISTOGRAMS = {name for name, kind in _DOCUMENTED.items() if kind == "histogram"}
SCALARS = {"up"} | {name for name, kind in _DOCUMENTED.items() if kind != "histogram"}
KNOWN = SCALARS | {f"{h}_{suffix}" for h in HISTOGRAMS for suffix in ("bucket", "count", "sum")}

_KEYWORDS = {
    "sum",
    "min",
    "max",
    "avg",
    "count",
    "topk",
    "bottomk",
    "by",
    "without",
    "rate",
    "increase",
    "irate",
    "histogram_quantile",
    "vector",
    "and",
    "or",
    "unless",
    "on",
    "ignoring",
    "offset",
    "bool",
    "time",
    "group_left",
    "group_right",
    "abs",
    "clamp_min",
    "clamp_max",
    "label_values",
    "absent",
}


def series_names(expr: str) -> set[str]:
    """Metric and recording-rule names an expression selects (label names and functions left out)."""
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    without_matchers = re.sub(r"\{[^}]*\}", "{}", without_strings)
    without_ranges = re.sub(r"\[[^\]]*\]", "[]", without_matchers)
    without_groupings = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", r"\1", without_ranges)
    return {
        name
        for name in re.findall(r"[a-zA-Z_][\w]*(?::[\w]+)*", without_groupings)
        if name not in _KEYWORDS and not name.startswith("__")
    } - {""}
