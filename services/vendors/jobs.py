"""Every background loop the vendors lifespan starts; the work each pass does lives in service/.

- the budget sweep: budgets in force are evaluated every `budget_sweep_seconds`, so an overrun alerts
  (and a hard cap bites) without anyone asking (service/budgets.py `sweep_budgets`);
- the webhook deliverer: due outbound deliveries are sent, woken after a commit that queued one
  (service/subscriptions.py `deliver_due`).
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.vendors.service import budgets, subscriptions
from services.vendors.settings import VendorsSettings
from shared.background import DrainingLoop, PeriodicLoop


async def start_budget_sweeper(app: FastAPI) -> None:
    every = app.state.settings.budget_sweep_seconds
    if every <= 0:
        return
    db, services = app.state.db, app.state.services
    app.state.budget_sweeper = PeriodicLoop(
        name="vendors-budget-sweeper",
        every_seconds=every,
        work=lambda: budgets.sweep_budgets(db=db, services=services),
    )
    app.state.budget_sweeper.start()


async def stop_budget_sweeper(app: FastAPI) -> None:
    sweeper = getattr(app.state, "budget_sweeper", None)
    if sweeper is not None:
        await sweeper.stop()


class WebhookDeliverer(DrainingLoop):
    """Sends due deliveries; claims rows first so several replicas can run it."""

    def __init__(self, *, sessionmaker: async_sessionmaker[AsyncSession], settings: VendorsSettings):
        super().__init__(
            name="vendors-webhook-deliverer",
            batch_size=subscriptions.BATCH,
            poll_seconds=settings.webhook_poll_seconds,
        )
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.client = subscriptions.delivery_client(settings)

    async def stop(self) -> None:
        await super().stop()
        await self.client.aclose()

    async def drain_once(self) -> int:
        return await subscriptions.deliver_due(
            sessionmaker=self.sessionmaker, client=self.client, settings=self.settings
        )


async def start_deliverer(app: FastAPI) -> None:
    app.state.webhook_deliverer = WebhookDeliverer(
        sessionmaker=app.state.db.sessionmaker, settings=app.state.settings
    )
    app.state.webhook_deliverer.start()


async def stop_deliverer(app: FastAPI) -> None:
    deliverer = getattr(app.state, "webhook_deliverer", None)
    if deliverer is not None:
        await deliverer.stop()
