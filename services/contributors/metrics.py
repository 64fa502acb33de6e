"""Domain metrics of the contributors service (labelops_ prefix; bounded labels only, never ids).

Ticket SLA breaches are counted when a scrape finds them: each ticket's breach is claimed once in the
database (tickets.*_breach_counted_at), so replicas never count the same breach twice.
"""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import Counter, Gauge, Histogram

from services.contributors.repository import tickets as ticket_repository
from services.contributors.tickets import TicketPriority
from shared.db import utcnow
from shared.metrics import SLA_BREACHES

# `labelops_sla_breaches_total` is the tasks service's (turnaround, no labels); one name with two label
# sets cannot live in one process, so tickets count under their own name.
TICKET_SLA_BREACHES = Counter(
    "labelops_ticket_sla_breaches_total", "Tickets that missed an SLA target", ["kind", "priority"]
)
TICKETS_OPEN = Gauge(
    "labelops_tickets_open",
    "Unresolved tickets by priority and status",
    ["priority", "status"],
    multiprocess_mode="max",
)
# One bucket per common first-response target (hours), so the on-time share reads per priority.
FIRST_RESPONSE = Histogram(
    "labelops_ticket_first_response_seconds",
    "Time from a ticket's creation to the first staff message",
    ["priority"],
    buckets=(300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600),
)
# Prometheus base unit is the second; dashboards divide by 60 to show minutes.
EXPOSURE_SECONDS = Counter(
    "labelops_exposure_seconds_total", "Time spent on content, reported by tasks, by severity", ["severity"]
)
OPEN_STATUSES = ("open", "in_progress", "waiting")


async def refresh_ticket_metrics(app: FastAPI) -> None:
    """Scrape hook: count newly breached tickets once, and set the open-ticket gauges."""
    async with app.state.db.sessionmaker() as session, session.begin():
        claimed = await ticket_repository.mark_breaches_counted(session, now=utcnow())
    for kind, priorities in claimed.items():
        for priority in priorities:
            TICKET_SLA_BREACHES.labels(kind, priority).inc()
            SLA_BREACHES.labels("contributors", kind).inc()
    async with app.state.db.read_sessionmaker() as session:
        counts = await ticket_repository.open_counts(session)
    for priority in TicketPriority:
        for status in OPEN_STATUSES:
            TICKETS_OPEN.labels(priority.value, status).set(counts.get((priority.value, status), 0))
