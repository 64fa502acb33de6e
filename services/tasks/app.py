"""The tasks service: projects, queues, permissions, assignment, submissions, QA."""

import logging

from fastapi import FastAPI, Request, Response

from services.tasks import metrics
from services.tasks.events import HANDLERS
from services.tasks.jobs import start_jobs, stop_jobs
from services.tasks.models import event_tables
from services.tasks.routes import assignments, profiles, projects, quality_rules, queues, reports, stats
from services.tasks.routes.hot_path import AssignmentHotPath
from services.tasks.service.assignments import LeaseRace
from services.tasks.settings import TasksSettings, get_settings
from shared.app import ServiceParts, create_service_app

log = logging.getLogger("labelops.tasks")


async def _lease_race(_request: Request, _exc: LeaseRace) -> Response:
    # The contributor's concurrent `next` took the same lease slot; asked again shortly, this one gets
    # that lease back (at a cap of 1) or another slot.
    return Response(status_code=204, headers={"Retry-After": "1", "LabelOps-Queue-Reason": "lease_limit"})


def create_app(settings: TasksSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        ServiceParts(
            settings=settings,
            title="LabelOps tasks",
            # Routes are matched in order, each costing a few microseconds: the assignment loop's
            # routers come first.
            routers=[
                queues.router,
                assignments.router,
                profiles.router,
                projects.router,
                quality_rules.router,
                stats.router,
                reports.router,
            ],
            event_tables=event_tables,
            event_handlers=HANDLERS,
            on_startup=[start_jobs],
            on_shutdown=[stop_jobs],
            scrape_hooks=[metrics.refresh_queue_metrics],
            inner_middleware=[AssignmentHotPath],
        )
    )
    app.add_exception_handler(LeaseRace, _lease_race)
    return app
