"""The vendors service: vendors, contracts, money, VMS webhooks."""

from fastapi import FastAPI

from services.vendors.events import HANDLERS
from services.vendors.jobs import start_budget_sweeper, start_deliverer, stop_budget_sweeper, stop_deliverer
from services.vendors.metrics import refresh_vendor_metrics
from services.vendors.models import event_tables
from services.vendors.routes import (
    benchmarks,
    budgets,
    communications,
    contracts,
    invoices,
    negotiations,
    rate_cards,
    reports,
    scorecards,
    subscriptions,
    vendors,
    webhooks,
)
from services.vendors.schemas.webhooks import VmsInboundEvent
from services.vendors.settings import VendorsSettings, get_settings
from shared.app import ServiceParts, create_service_app
from shared.openapi import document_schemas


def create_app(settings: VendorsSettings | None = None) -> FastAPI:
    app = create_service_app(
        ServiceParts(
            settings=settings or get_settings(),
            title="LabelOps vendors",
            routers=[
                vendors.router,
                communications.router,
                communications.erasures,
                communications.personal_data,
                contracts.router,
                rate_cards.router,
                benchmarks.router,
                negotiations.router,
                budgets.router,
                invoices.router,
                scorecards.router,
                webhooks.router,
                subscriptions.router,
                reports.router,
            ],
            event_tables=event_tables,
            event_handlers=HANDLERS,
            on_startup=[start_deliverer, start_budget_sweeper],
            on_shutdown=[stop_budget_sweeper, stop_deliverer],
            scrape_hooks=[refresh_vendor_metrics],
        )
    )
    # The VMS receiver reads its body raw; the events it takes are documented as components.
    document_schemas(app, {"VmsInboundEvent": VmsInboundEvent})
    return app
