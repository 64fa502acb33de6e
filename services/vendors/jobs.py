"""Every background loop the vendors lifespan starts; the work each pass does lives in service/.

- the budget sweep: budgets in force are evaluated every `budget_sweep_seconds`, so an overrun alerts
  (and a hard cap bites) without anyone asking (service/budgets.py `sweep_budgets`);
- the webhook deliverer: due outbound deliveries are sent, woken after a commit that queued one
  (service/subscriptions.py `deliver_due`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.vendors.service import budgets, subscriptions
from services.vendors.settings import VendorsSettings
from shared.background import DrainingLoop
from shared.db import Database
from shared.http import ServiceClient

log = logging.getLogger("labelops.vendors.budgets")


async def _sweep_budgets_every(every: float, *, db: Database, services: ServiceClient) -> None:
    while True:
        try:
            await budgets.sweep_budgets(db=db, services=services)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("budget sweep failed")
        await asyncio.sleep(every)


async def start_budget_sweeper(app: FastAPI) -> None:
    every = app.state.settings.budget_sweep_seconds
    sweep = _sweep_budgets_every(every, db=app.state.db, services=app.state.services)
    app.state.budget_sweeper = (
        asyncio.create_task(sweep, name="vendors-budget-sweeper") if every > 0 else None
    )


async def stop_budget_sweeper(app: FastAPI) -> None:
    task = getattr(app.state, "budget_sweeper", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


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
