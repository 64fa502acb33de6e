"""Domain metrics of the vendors service (labelops_ prefix; bounded labels only, never vendor ids).

Every label value is known in advance and initialised here, so each series exists from the start at 0.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import FastAPI
from prometheus_client import Counter

from services.vendors.repository import scorecards as scorecard_repository
from services.vendors.repository import subscriptions as subscription_repository
from services.vendors.rules.subscriptions import DeliveryOutcome
from shared.metrics import snapshot_gauge

# Attempts, not messages: a delivery retried three times counts three attempts (two `retry`, then one
# final outcome), which is what a failure ratio of the receivers needs.
WEBHOOK_DELIVERY_ATTEMPTS = Counter(
    "labelops_webhook_delivery_attempts_total", "Outbound webhook delivery attempts by outcome", ["outcome"]
)
INBOUND_WEBHOOKS = Counter("labelops_vms_webhooks_total", "Inbound VMS webhooks by result", ["result"])
INBOUND_RESULTS = ("processed", "duplicate", "rejected")
SLA_ATTAINMENT = snapshot_gauge(
    "labelops_vendor_sla_attainment_ratio",
    "Lowest overall SLA attainment among the latest scorecards of active vendors (NaN when none)",
)
BUDGET_FORECAST = snapshot_gauge(
    "labelops_budget_forecast_ratio",
    "Highest forecast spend at completion / amount among the budgets in force, at the last budget sweep",
)
BUDGET_UTILISATION = snapshot_gauge(
    "labelops_budget_utilisation_ratio",
    "Highest spend to date / amount among the budgets in force, at the last budget sweep",
)
DELIVERY_BACKLOG = snapshot_gauge(
    "labelops_webhook_deliveries", "Outbound webhook deliveries by status", ("status",)
)
BACKLOG_STATUSES = ("pending", "dead_letter", "failed")

for _outcome in DeliveryOutcome:
    WEBHOOK_DELIVERY_ATTEMPTS.labels(_outcome.value)
for _result in INBOUND_RESULTS:
    INBOUND_WEBHOOKS.labels(_result)


def observe_budget_sweep(reports: list[dict]) -> None:
    """Set the budget gauges from one sweep's reports; metrics, not money, so float is fine here."""
    forecast = [r["forecast_at_completion"] / r["amount"] for r in reports if r["amount"] > 0]
    BUDGET_FORECAST.set(float(max(forecast, default=Decimal(0))))
    BUDGET_UTILISATION.set(float(max((r["utilisation"] for r in reports), default=Decimal(0))))


async def refresh_vendor_metrics(app: FastAPI) -> None:
    """Scrape hook: the delivery backlog and the lowest vendor SLA attainment, from the database."""
    async with app.state.db.read_sessionmaker() as session:
        counts = await subscription_repository.delivery_counts(session)
        attainments = await scorecard_repository.latest_attainments(session)
    for status in BACKLOG_STATUSES:
        DELIVERY_BACKLOG.labels(status).set(counts.get(status, 0))
    measured = [Decimal(value) for value in attainments if value is not None]
    SLA_ATTAINMENT.set(float(min(measured)) if measured else float("nan"))
