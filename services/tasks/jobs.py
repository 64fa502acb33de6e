"""Background work the lifespan starts: one sweep loop that reclaims expired leases, records expired
grants and evaluates quality rules (the work itself lives in service/)."""

from __future__ import annotations

from fastapi import FastAPI

from services.tasks.service import quality_rules, sweeps
from shared.background import PeriodicLoop
from shared.db import Database


async def _sweep(db: Database) -> None:
    await sweeps.sweep_expired(db=db)
    await quality_rules.evaluate_due_projects(db=db)


async def start_jobs(app: FastAPI) -> None:
    db = app.state.db
    app.state.sweeper = PeriodicLoop(
        name="tasks-sweeper", every_seconds=app.state.settings.sweep_seconds, work=lambda: _sweep(db)
    )
    app.state.sweeper.start()


async def stop_jobs(app: FastAPI) -> None:
    sweeper = getattr(app.state, "sweeper", None)
    if sweeper is not None:
        await sweeper.stop()
