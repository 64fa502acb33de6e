"""Domain metrics of the tasks service (labelops_ prefix; bounded labels only, never ids).

Every label value is known in advance and initialised here, so each series exists from the start at 0:
a rate over a counter that appears only at its first increment misses that increment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prometheus_client import Counter, Histogram

from services.tasks.assignment.preconditions import QUEUE_REASONS
from services.tasks.repository.stats import gold_answer_totals, oldest_unfinished_task_created_at, queue_depth
from services.tasks.rules.kpis import gold_accuracy
from services.tasks.service.kpis import breaches_to_count
from shared.db import utcnow
from shared.metrics import SLA_BREACHES, snapshot_gauge

# 15 ms and 100 ms are the `next` latency targets (p50 and p99); each has its own bucket.
NEXT_LATENCY = Histogram(
    "labelops_next_latency_seconds",
    "Time to answer POST /queues/{id}/next",
    ["result"],
    buckets=(0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
NEXT_RESULTS = ("leased", *QUEUE_REASONS)
ASSIGNMENTS = Counter("labelops_assignments_total", "Assignments by outcome", ["outcome"])
ASSIGNMENT_OUTCOMES = ("submitted", "released")
LEASE_EXPIRIES = Counter("labelops_lease_expiries_total", "Leases that expired and were reclaimed")
# One bucket at each common SLA threshold (1h … 1 week, in seconds), so the on-time share is readable
# per threshold.
TURNAROUND = Histogram(
    "labelops_task_turnaround_seconds",
    "Turnaround from import to final answer",
    buckets=tuple(hours * 3600 for hours in (1, 4, 8, 12, 24, 48, 72, 168)),
)
QUEUE_DEPTH = snapshot_gauge(
    "labelops_queue_depth", "Task units across active projects by status", ("status",)
)
QUEUE_OLDEST_AGE = snapshot_gauge(
    "labelops_queue_oldest_task_age_seconds",
    "Age of the oldest unfinished task of an active project (0 when none)",
)
# NaN until a gold task of an active project is answered: no answers is not 0% accuracy.
GOLD_ACCURACY = snapshot_gauge(
    "labelops_gold_accuracy_ratio", "Share of gold answers that were correct, across active projects"
)

for _result in NEXT_RESULTS:
    NEXT_LATENCY.labels(result=_result)
for _outcome in ASSIGNMENT_OUTCOMES:
    ASSIGNMENTS.labels(outcome=_outcome)
SLA_BREACHES.labels("tasks", "turnaround")


def observe_turnaround(ctx: dict[str, Any], now: datetime, on_time: bool) -> None:
    # Breaches are not counted here: a task open past its due time is breached too, with no submit to see
    # it. refresh_queue_metrics counts every breach from the database, once across processes.
    TURNAROUND.observe((now - ctx["task_created_at"]).total_seconds())


async def refresh_queue_metrics(app: Any) -> None:
    """Scrape hook: queue depth, oldest task age and gold accuracy from the database, and the SLA breaches
    (rules.kpis: finished late or open past due) no process has counted yet."""
    now = utcnow()
    SLA_BREACHES.labels("tasks", "turnaround").inc(await breaches_to_count(app.state.db))
    async with app.state.db.read_sessionmaker() as session:
        depth = await queue_depth(session, now=now)
        oldest = await oldest_unfinished_task_created_at(session)
        correct, total = await gold_answer_totals(session)
    for status, value in depth.items():
        QUEUE_DEPTH.labels(status=status).set(value)
    QUEUE_OLDEST_AGE.set(0.0 if oldest is None else max(0.0, (now - oldest).total_seconds()))
    accuracy = gold_accuracy(correct=correct, total=total)
    GOLD_ACCURACY.set(float("nan") if accuracy is None else accuracy)
