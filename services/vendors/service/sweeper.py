"""Background budget evaluation, so an overrun alerts (and a hard cap bites) without anyone asking."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import FastAPI

from services.vendors import repository
from services.vendors.metrics import observe_budget_sweep
from services.vendors.service.budgets import evaluate_budget
from shared.db import utcnow
from shared.errors import DomainError

log = logging.getLogger("labelops.vendors.budgets")


async def sweep_budgets(app: FastAPI) -> int:
    """Evaluate every budget whose period covers today, each in its own transaction; returns how many."""
    async with app.state.db.read_sessionmaker() as session:
        ids = await repository.budgets_in_force(session, on=utcnow().date())
    reports = []
    for budget_id in ids:
        try:
            async with app.state.db.sessionmaker() as session, session.begin():
                budget = await repository.get_for_update(session, repository.Budget, row_id=budget_id)
                if budget is not None:
                    reports.append(await evaluate_budget(session, app, budget=budget))
        except DomainError as exc:
            # The tasks service being down must not stop the other budgets; the next sweep retries.
            log.warning("budget %s not evaluated: %s", budget_id, exc.detail)
    observe_budget_sweep(reports)
    return len(reports)


async def _loop(app: FastAPI, every: float) -> None:
    while True:
        try:
            await sweep_budgets(app)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("budget sweep failed")
        await asyncio.sleep(every)


async def start_budget_sweeper(app: FastAPI) -> None:
    every = app.state.settings.budget_sweep_seconds
    app.state.budget_sweeper = (
        asyncio.create_task(_loop(app, every), name="vendors-budget-sweeper") if every > 0 else None
    )


async def stop_budget_sweeper(app: FastAPI) -> None:
    task = getattr(app.state, "budget_sweeper", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
