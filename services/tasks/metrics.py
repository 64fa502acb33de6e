"""Domain metrics of the tasks service (labelops_ prefix; bounded labels only, never ids)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from shared.metrics import SLA_BREACHES

NEXT_LATENCY = Histogram(
    "labelops_next_latency_seconds",
    "Time to answer POST /queues/{id}/next",
    ["result"],
    buckets=(0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
ASSIGNMENTS = Counter("labelops_assignments_total", "Assignments by outcome", ["outcome"])
LEASE_EXPIRIES = Counter("labelops_lease_expiries_total", "Leases that expired and were reclaimed")
# One bucket at each common SLA threshold (1h … 1 week, in seconds), so the on-time share is readable
# per threshold.
TURNAROUND = Histogram(
    "labelops_task_turnaround_seconds",
    "Turnaround from import to final answer",
    buckets=tuple(hours * 3600 for hours in (1, 4, 8, 12, 24, 48, 72, 168)),
)
GOLD_ANSWERS = Counter("labelops_gold_answers_total", "Gold answers by correctness", ["correct"])
QUEUE_DEPTH = Gauge(
    "labelops_queue_depth", "Task units across active projects by status", ["status"], multiprocess_mode="max"
)


def observe_turnaround(ctx: dict[str, Any], now: datetime, on_time: bool) -> None:
    TURNAROUND.observe((now - ctx["task_created_at"]).total_seconds())
    if not on_time:
        SLA_BREACHES.labels("tasks", "turnaround").inc()


async def refresh_queue_depth(app: Any) -> None:
    """Scrape hook: queue depth from the running counters (bounded labels, no project ids)."""
    from services.tasks.repository.stats import queue_depth
    from shared.db import utcnow

    async with app.state.db.read_sessionmaker() as session:
        depth = await queue_depth(session, now=utcnow())
    for status, value in depth.items():
        QUEUE_DEPTH.labels(status=status).set(value)
