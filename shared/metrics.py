"""RED metrics for every process, defined once with a `service` label, and the /metrics endpoint."""

from __future__ import annotations

import os
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

# The text format would carry every counter and histogram twice (a `*_created` gauge per series); the
# multiprocess collector never emits them, so without them both modes expose the same series.
disable_created_metrics()

# 100 ms and 250 ms are the API latency SLO thresholds; each has its own bucket.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests handled", ["service", "route", "method", "status"]
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "HTTP request handling time",
    ["service", "route", "method"],
    buckets=LATENCY_BUCKETS,
)


# Every SLA miss, whichever service sees it (kind: turnaround, first_response, resolution), under one
# name so one alert rule family covers them; defined here so no two services register it twice.
SLA_BREACHES = Counter("labelops_sla_breaches_total", "SLA targets missed", ["service", "kind"])


def snapshot_gauge(name: str, documentation: str, labelnames: tuple[str, ...] = ()) -> Gauge:
    """A gauge set from a snapshot of the database (by a scrape hook or a sweep). With several workers
    the most recent snapshot is the truth: `max` would keep a stale high value of a worker not asked since."""
    return Gauge(name, documentation, labelnames, multiprocess_mode="mostrecent")


# Every service with event tables: how far its outbox is behind (shared.events.outbox_lag_hook).
OUTBOX_LAG = snapshot_gauge(
    "labelops_outbox_lag_seconds", "Age of the oldest undelivered outbox event (0 when none)", ("service",)
)
OUTBOX_BACKLOG = snapshot_gauge("labelops_outbox_backlog", "Undelivered outbox events", ("service",))


@dataclass(frozen=True)
class RouteLabel:
    """For requests answered ahead of routing: what observe_request reads from scope["route"]."""

    path: str


def observe_request(service: str, scope: dict, status: int, seconds: float) -> None:
    """Count and time one HTTP request under its route template (never the raw path, which has ids)."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None) or "unmatched"
    method = scope.get("method", "GET")
    HTTP_REQUESTS.labels(service, template, method, str(status)).inc()
    HTTP_DURATION.labels(service, template, method).observe(seconds)


def metrics_registry() -> CollectorRegistry:
    """With several worker processes, aggregate what each wrote into PROMETHEUS_MULTIPROC_DIR."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


async def metrics_endpoint(request: Request) -> Response:
    """Refresh the gauges computed from the database (queue depth, oldest item…), then expose."""
    for refresh in getattr(request.app.state, "scrape_hooks", ()):
        await refresh(request.app)
    return Response(generate_latest(metrics_registry()), media_type=CONTENT_TYPE_LATEST)


def mark_worker_exited() -> None:
    """In multiprocess mode a worker's live gauges must go when it exits (its counters stay)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(os.getpid())
