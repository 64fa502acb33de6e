"""The tasks service: projects, queues, permissions, assignment, submissions, QA."""

import logging

from fastapi import FastAPI

from services.tasks import metrics
from services.tasks.assignment import routes as assignment
from services.tasks.assignment.dispatcher import FastDispatcher
from services.tasks.events import HANDLERS
from services.tasks.jobs import start_jobs, stop_jobs
from services.tasks.models import event_tables
from services.tasks.routes import profiles, projects, quality_rules, queues, reports, reviews, stats
from services.tasks.schemas.projects import LabelSchema
from services.tasks.schemas.tasks import TaskRow
from services.tasks.settings import TasksSettings, get_settings
from shared.app import ServiceParts, create_service_app
from shared.openapi import document_schemas

log = logging.getLogger("labelops.tasks")


def create_app(settings: TasksSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        ServiceParts(
            settings=settings,
            title="LabelOps tasks",
            # Routes are matched in order, each costing a few microseconds: the assignment loop's
            # routers come first.
            routers=[
                assignment.router,
                queues.router,
                reviews.router,
                profiles.router,
                projects.router,
                quality_rules.router,
                stats.router,
                reports.router,
                profiles.personal_data,
            ],
            event_tables=event_tables,
            event_handlers=HANDLERS,
            on_startup=[start_jobs],
            on_shutdown=[stop_jobs],
            scrape_hooks=[metrics.refresh_queue_metrics],
            inner_middleware=[FastDispatcher],
        )
    )
    # Bodies read raw or kept as JSON, documented as the models that describe them.
    document_schemas(app, {"LabelSchema": LabelSchema, "TaskRow": TaskRow})
    return app
