"""Background work the lifespan starts; the work itself lives in service/.

One loop: counting ticket SLA breaches into the metrics. It used to run inside each /metrics scrape,
which made a scrape write to the database; a scrape now only reads (metrics.refresh_ticket_gauges).
"""

from __future__ import annotations

from fastapi import FastAPI

from services.contributors.service import tickets as ticket_service
from shared.background import PeriodicLoop


async def start_jobs(app: FastAPI) -> None:
    db = app.state.db
    app.state.ticket_sla_counter = PeriodicLoop(
        name="contributors-ticket-sla-breaches",
        every_seconds=app.state.settings.ticket_sla_sweep_seconds,
        work=lambda: ticket_service.count_sla_breaches(db=db),
    )
    app.state.ticket_sla_counter.start()


async def stop_jobs(app: FastAPI) -> None:
    loop = getattr(app.state, "ticket_sla_counter", None)
    if loop is not None:
        await loop.stop()
