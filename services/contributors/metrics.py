"""Domain metrics of the contributors service (labelops_ prefix; bounded labels only, never ids).

Ticket SLA breaches are counted by a background loop (jobs.py): each ticket's breach is claimed once in
the database (tickets.*_breach_counted_at), so replicas never count the same breach twice. A scrape only
reads: it sets the open-ticket gauges.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fastapi import FastAPI
from prometheus_client import Counter, Histogram

from services.contributors.repository import tickets as ticket_repository
from services.contributors.rules.tickets import DEFAULT_SLA_POLICY, SlaKind, TicketPriority
from services.contributors.rules.wellness import ContentSeverity
from shared.metrics import SLA_BREACHES, snapshot_gauge

# The kit's labelops_sla_breaches_total{service,kind} feeds the alerts; this one adds the priority.
TICKET_SLA_BREACHES = Counter(
    "labelops_ticket_sla_breaches_total", "Tickets that missed an SLA target", ["kind", "priority"]
)
TICKETS_OPEN = snapshot_gauge(
    "labelops_tickets_open", "Unresolved tickets by priority and status", ("priority", "status")
)
# A bucket at each default first-response target (1h, 4h, 8h, 24h) plus finer and coarser ones, so the
# on-time share reads per priority.
FIRST_RESPONSE = Histogram(
    "labelops_ticket_first_response_seconds",
    "Time from a ticket's creation to the first staff message",
    ["priority"],
    buckets=sorted(
        {300.0, 900.0, 1800.0, 72 * 3600.0}
        | {target.first_response.total_seconds() for target in DEFAULT_SLA_POLICY.values()}
    ),
)
# Prometheus base unit is the second; dashboards divide by 60 to show minutes.
EXPOSURE_SECONDS = Counter(
    "labelops_exposure_seconds_total", "Time spent on content, reported by tasks, by severity", ["severity"]
)
OPEN_STATUSES = ("open", "in_progress", "waiting")

# Every series exists from the start at 0, so a rate sees the first breach or answer.
for _priority in TicketPriority:
    FIRST_RESPONSE.labels(_priority.value)
    for _kind in SlaKind:
        TICKET_SLA_BREACHES.labels(_kind.value, _priority.value)
for _kind in SlaKind:
    SLA_BREACHES.labels("contributors", _kind.value)
for _severity in ContentSeverity:
    EXPOSURE_SECONDS.labels(_severity.value)


def count_sla_breaches(claimed: Mapping[str, Iterable[str]]) -> None:
    """Count the breaches a pass has claimed: the priorities of the tickets per kind of SLA target."""
    for kind, priorities in claimed.items():
        for priority in priorities:
            TICKET_SLA_BREACHES.labels(kind, priority).inc()
            SLA_BREACHES.labels("contributors", kind).inc()


async def refresh_ticket_gauges(app: FastAPI) -> None:
    """Scrape hook: set the open-ticket gauges (a read; nothing is written)."""
    async with app.state.db.read_sessionmaker() as session:
        counts = await ticket_repository.open_counts(session)
    for priority in TicketPriority:
        for status in OPEN_STATUSES:
            TICKETS_OPEN.labels(priority.value, status).set(counts.get((priority.value, status), 0))
