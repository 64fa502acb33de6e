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
    """What partners sent and what we sent them during the shift, and every follow-up still owed to them."""
    now = utcnow()
    happened = await report_repository.communications_between(
        session, since=window.since, until=window.until, limit=MAX_ITEMS
    )
    counts = await report_repository.communication_counts(session, since=window.since, until=window.until)
    pending = await report_repository.pending_follow_ups(session, limit=MAX_ITEMS)
    pending_counts = await report_repository.pending_follow_up_counts(session, now=now)
    return HandoverSections(
        sections={
            "Partner communications": Section.capped(
                counts,
                [_communication_item(row, name) for row, name in happened],
                total=counts["received"] + counts["sent"],
            ),
            "Partner follow-ups": Section.capped(
                pending_counts,
                [
                    {**_communication_item(row, name), "overdue": row.follow_up_due_at < now}
                    for row, name in pending
                ],
                total=pending_counts["pending"],
            ),
        }
    )


async def kpi_rows(session: ReadSessionDep, services: ServicesDep, window: ReportWindowDep) -> KpiRows:
    """Per project and vendor: units accepted in the window (measured by tasks) priced at contracted rates,
    and the contracted cost per accepted label (rules.kpis)."""
    items = await production.production_between(services, since=window.since, until=window.until)
    return KpiRows(rows=spend_rows(await priced_production(session, items, on=window.since.date())))
