"""Background work the lifespan starts: one sweep loop that reclaims expired leases, records expired
grants and evaluates quality rules (the work itself lives in service/)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import FastAPI

from services.tasks.service import quality_rules, sweeps
from shared.db import Database

log = logging.getLogger("labelops.tasks.sweeper")


async def _sweep(db: Database, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await sweeps.sweep_expired(db=db)
            await quality_rules.evaluate_due_projects(db=db)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sweep failed")


async def start_jobs(app: FastAPI) -> None:
    interval = app.state.settings.sweep_seconds
    app.state.sweeper = asyncio.create_task(_sweep(app.state.db, interval), name="tasks-sweeper")


async def stop_jobs(app: FastAPI) -> None:
    task = getattr(app.state, "sweeper", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
