"""Background work the lifespan starts; the work itself lives in service/.

Counting ticket SLA breaches into the metrics (and telling the responsible people), warning them of
targets about to be missed, and sending those notifications. Counting used to run inside each /metrics
scrape, which made a scrape write to the database; a scrape now only reads (metrics.refresh_ticket_gauges).
When the support channels are configured, two more: the support mailbox's poll and the delivery of replies
to email and Discord.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.contributors.service import channel_delivery, email_inbox, notifications
from services.contributors.service import tickets as ticket_service
from shared.background import PeriodicLoop


async def start_jobs(app: FastAPI) -> None:
    db, settings, services = app.state.db, app.state.settings, app.state.services
    app.state.ticket_sla_counter = PeriodicLoop(
        name="contributors-ticket-sla-breaches",
        every_seconds=settings.ticket_sla_sweep_seconds,
        work=lambda: ticket_service.count_sla_breaches(db=db, settings=settings),
    )
    app.state.ticket_sla_warner = PeriodicLoop(
        name="contributors-ticket-sla-warnings",
        every_seconds=settings.ticket_sla_sweep_seconds,
        work=lambda: notifications.warn_of_sla_targets(db=db, settings=settings),
    )
    app.state.notifier = PeriodicLoop(
        name="contributors-notifications",
        every_seconds=settings.notification_poll_seconds,
        work=lambda: notifications.send_due_notifications(
            db=db, services=services, settings=settings, client=app.state.http
        ),
    )
    for loop in (app.state.ticket_sla_counter, app.state.ticket_sla_warner, app.state.notifier):
        loop.start()
    start_channel_jobs(app)


async def stop_jobs(app: FastAPI) -> None:
    for name in ("ticket_sla_counter", "ticket_sla_warner", "notifier", *CHANNEL_JOBS):
        loop = getattr(app.state, name, None)
        if loop is not None:
            await loop.stop()


CHANNEL_JOBS = ("support_mailbox_poller", "channel_deliverer")


def start_channel_jobs(app: FastAPI) -> None:
    """The support mailbox's poll and the relay of replies to email and Discord, each only when configured.

    The poll takes every unseen message on each pass, so a pass that failed (mailbox away) loses nothing."""
    db, settings = app.state.db, app.state.settings
    if settings.email_inbound_enabled:
        app.state.support_mailbox_poller = PeriodicLoop(
            name="contributors-support-mailbox",
            every_seconds=settings.email_poll_seconds,
            work=lambda: email_inbox.poll_mailbox(db=db, settings=settings),
        )
        app.state.support_mailbox_poller.start()
    if channel_delivery.outbound_channels(settings):
        sender = channel_delivery.ChannelSender(settings=settings, http=app.state.http)
        app.state.channel_deliverer = PeriodicLoop(
            name="contributors-channel-deliveries",
            every_seconds=settings.channel_delivery_poll_seconds,
            work=lambda: channel_delivery.relay_channel_replies(db=db, settings=settings, sender=sender),
        )
        app.state.channel_deliverer.start()
