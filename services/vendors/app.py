"""The vendors service: vendors, contracts, money, VMS webhooks."""

from fastapi import FastAPI

from services.vendors.models import event_tables
from services.vendors.routes import vendors
from services.vendors.settings import VendorsSettings, get_settings
from shared.app import ServiceParts, create_service_app


def create_app(settings: VendorsSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceParts(
            settings=settings or get_settings(),
            title="LabelOps vendors",
            routers=[vendors.router],
            event_tables=event_tables,
        )
    )
