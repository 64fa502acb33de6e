"""Background sweeper: reclaims expired leases, records expired permissions, evaluates quality rules."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import FastAPI

from services.tasks import metrics
from services.tasks.repository.assignments import reclaim_expired_leases
from services.tasks.service import quality_rules
from services.tasks.service.projects import sweep_expired_permissions
from shared.db import utcnow
from shared.rawsql import raw_connection

log = logging.getLogger("labelops.tasks.sweeper")


async def sweep_once(app: FastAPI) -> tuple[int, int]:
    now = utcnow()
    async with raw_connection(app.state.db.engine) as connection, connection.transaction():
        leases = await reclaim_expired_leases(connection, now=now)
    async with app.state.db.sessionmaker() as session, session.begin():
        grants = await sweep_expired_permissions(session, now=now)
    if leases:
        metrics.LEASE_EXPIRIES.inc(leases)
    return leases, grants


async def evaluate_quality_rules(app: FastAPI) -> int:
    """One transaction per project, so a slow or failing project neither blocks nor undoes the others."""
    async with app.state.db.sessionmaker() as session:
        project_ids = await quality_rules.projects_to_evaluate(session)
    fired = 0
    for project_id in project_ids:
        try:
            async with app.state.db.sessionmaker() as session, session.begin():
                fired += len(
                    await quality_rules.evaluate_project(session, project_id=project_id, now=utcnow())
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("quality rules of project %s failed", project_id)
    return fired


async def _run(app: FastAPI, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await sweep_once(app)
            await evaluate_quality_rules(app)
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
