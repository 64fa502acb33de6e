"""The contributors service: people, lifecycle, onboarding, qualifications, vetting, campaigns, tickets,
wellness, shift notes."""

from fastapi import FastAPI

from services.contributors.events import HANDLERS
from services.contributors.jobs import start_jobs, stop_jobs
from services.contributors.metrics import refresh_ticket_gauges
from services.contributors.models import event_tables
from services.contributors.routes import (
    announcements,
    campaigns,
    canned_replies,
    contributors,
    discord,
    lifecycle,
    qualifications,
    reports,
    requester_profiles,
    shift_notes,
    tickets,
    vetting,
    wellness,
)
from services.contributors.settings import ContributorsSettings, get_settings
from shared.app import ServiceParts, create_service_app


def create_app(settings: ContributorsSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceParts(
            settings=settings or get_settings(),
            title="LabelOps contributors",
            # contributors first: its /export and /import must be matched before /{contributor_id}.
            routers=[
                contributors.router,
                lifecycle.router,
                qualifications.router,
                vetting.router,
                wellness.router,
                announcements.router,
                campaigns.router,
                tickets.router,
                requester_profiles.router,
                discord.router,
                canned_replies.router,
                shift_notes.router,
                reports.router,
            ],
            event_tables=event_tables,
            event_handlers=HANDLERS,
            on_startup=[start_jobs],
            on_shutdown=[stop_jobs],
            scrape_hooks=[refresh_ticket_gauges],
        )
    )
