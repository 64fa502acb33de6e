"""The contributors service: people, onboarding, tickets, wellness."""

from fastapi import FastAPI

from services.contributors.models import event_tables
from services.contributors.routes import contributors
from services.contributors.settings import ContributorsSettings, get_settings
from shared.app import ServiceParts, create_service_app


def create_app(settings: ContributorsSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceParts(
            settings=settings or get_settings(),
            title="LabelOps contributors",
            routers=[contributors.router],
            event_tables=event_tables,
        )
    )
