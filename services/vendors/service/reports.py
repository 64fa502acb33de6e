"""The vendors service's report sections: partner communications and follow-ups; spend for the KPIs."""

from __future__ import annotations

from services.vendors.models import Communication
from services.vendors.repository import reports as report_repository
from services.vendors.service import production
from services.vendors.service.kpis import priced_production, spend_rows
from shared.db import ReadSessionDep, utcnow
from shared.http import ServicesDep
from shared.reports import MAX_ITEMS, HandoverSections, KpiRows, ReportWindowDep, Section


def _communication_item(row: Communication, vendor_name: str | None) -> dict:
    return {
        "communication_id": row.id,
        "vendor_id": row.vendor_id,
        "party": vendor_name or row.prospect_name,
        "direction": row.direction,
        "channel": row.channel,
        "subject": row.subject,
        "occurred_at": row.occurred_at.isoformat(),
        "follow_up_due_at": row.follow_up_due_at.isoformat() if row.follow_up_due_at else None,
    }


async def handover_sections(session: ReadSessionDep, window: ReportWindowDep) -> HandoverSections:
    """What partners sent during the shift, and every follow-up still owed to them."""
    now = utcnow()
    received = await report_repository.received_between(
        session, since=window.since, until=window.until, limit=MAX_ITEMS
    )
    pending = await report_repository.pending_follow_ups(session, limit=MAX_ITEMS)
    return HandoverSections(
        sections={
            "Partner communications": Section(
                summary=await report_repository.communication_counts(
                    session, since=window.since, until=window.until
                ),
                items=[_communication_item(row, name) for row, name in received],
            ),
            "Partner follow-ups": Section(
                summary=await report_repository.pending_follow_up_counts(session, now=now),
                items=[
                    {**_communication_item(row, name), "overdue": row.follow_up_due_at < now}
                    for row, name in pending
                ],
            ),
        }
    )


async def kpi_rows(session: ReadSessionDep, services: ServicesDep, window: ReportWindowDep) -> KpiRows:
    """Per project and vendor: units accepted in the window (measured by tasks) priced at contracted rates,
    and the contracted cost per accepted label (rules.kpis)."""
    items = await production.production_between(services, since=window.since, until=window.until)
    return KpiRows(rows=spend_rows(await priced_production(session, items, on=window.since.date())))
