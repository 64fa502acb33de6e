"""Domain metrics of the vendors service (labelops_ prefix; bounded labels only, never vendor ids)."""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import Counter, Gauge, Histogram

from services.vendors import repository

WEBHOOK_DELIVERIES = Counter(
    "labelops_webhook_delivery_attempts_total", "Outbound webhook delivery attempts by outcome", ["outcome"]
)
INBOUND_WEBHOOKS = Counter("labelops_vms_webhooks_total", "Inbound VMS webhooks by result", ["result"])
SLA_ATTAINMENT = Histogram(
    "labelops_vendor_sla_attainment_ratio",
    "Overall SLA attainment of computed vendor scorecards",
    buckets=(0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 1.0),
)
BUDGET_UTILISATION = Histogram(
    "labelops_budget_utilisation_ratio",
    "Spend / budget at each budget evaluation",
    buckets=(0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.5),
)
DELIVERY_BACKLOG = Gauge(
    "labelops_webhook_deliveries",
    "Outbound webhook deliveries by status",
    ["status"],
    multiprocess_mode="max",
)


async def refresh_delivery_backlog(app: FastAPI) -> None:
    """Scrape hook: pending and dead-lettered deliveries, read from the database at scrape time."""
    async with app.state.db.read_sessionmaker() as session:
        counts = await repository.delivery_counts(session)
    for status in ("pending", "dead_letter", "failed"):
        DELIVERY_BACKLOG.labels(status).set(counts.get(status, 0))
