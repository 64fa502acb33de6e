"""The tasks service: projects, queues, permissions, assignment, submissions, QA."""

from fastapi import FastAPI

from services.tasks.events import HANDLERS
from services.tasks.models import event_tables
from services.tasks.routes import profiles
from services.tasks.settings import TasksSettings, get_settings
from shared.app import ServiceParts, create_service_app


def create_app(settings: TasksSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceParts(
            settings=settings or get_settings(),
            title="LabelOps tasks",
            routers=[profiles.router],
            event_tables=event_tables,
            event_handlers=HANDLERS,
        )
    )
