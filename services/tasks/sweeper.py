"""Background sweeper: reclaims expired leases and records expired permissions."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import FastAPI

from services.tasks import metrics
from services.tasks.repository.assignments import reclaim_expired_leases
from services.tasks.service.projects import sweep_expired_permissions
from shared.db import utcnow

log = logging.getLogger("labelops.tasks.sweeper")


async def sweep_once(app: FastAPI) -> tuple[int, int]:
    async with app.state.db.sessionmaker() as session, session.begin():
        now = utcnow()
        leases = await reclaim_expired_leases(session, now=now)
        grants = await sweep_expired_permissions(session, now=now)
    if leases:
        metrics.LEASE_EXPIRIES.inc(leases)
    return leases, grants


async def _run(app: FastAPI, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await sweep_once(app)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sweep failed")


async def start_sweeper(app: FastAPI) -> None:
    interval = app.state.settings.sweep_seconds
    app.state.sweeper = asyncio.create_task(_run(app, interval), name="tasks-sweeper")


async def stop_sweeper(app: FastAPI) -> None:
    task = getattr(app.state, "sweeper", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
