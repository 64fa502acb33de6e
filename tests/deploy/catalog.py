"""The metric names the rules and dashboards may use: the RED metrics of shared/metrics.py and the domain
metrics the services expose (names agreed for issue 7; deploy/METRICS.md is their catalog)."""

from __future__ import annotations

import re

HISTOGRAMS = {
    "http_request_duration_seconds",
    "labelops_next_latency_seconds",
    "labelops_task_turnaround_seconds",
    "labelops_ticket_first_response_seconds",
}
SCALARS = {
    "up",
    "http_requests_total",
    "labelops_queue_depth",
    "labelops_queue_oldest_task_age_seconds",
    "labelops_assignments_total",
    "labelops_lease_expiries_total",
    "labelops_sla_breaches_total",
    "labelops_gold_accuracy_ratio",
    "labelops_tickets_open",
    "labelops_exposure_seconds_total",
    "labelops_budget_forecast_ratio",
    "labelops_vendor_sla_attainment_ratio",
    "labelops_webhook_delivery_attempts_total",
    "labelops_outbox_lag_seconds",
}
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
