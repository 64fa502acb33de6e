"""The vendors service's report sections: partner communications and follow-ups; spend for the KPIs."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Communication
from services.vendors.repository import contracts as contract_repository
from services.vendors.repository import rate_cards as rate_card_repository
from services.vendors.repository import reports as report_repository
from services.vendors.rules import rate_cards as rate_card_rules
from services.vendors.service import production
from services.vendors.service.budgets import MEASURED_UNITS
from services.vendors.service.rate_cards import rule_line
from shared.db import ReadSessionDep, utcnow
from shared.http import ServicesDep
from shared.reports import MAX_ITEMS, HandoverSections, KpiRows, ReportWindow, ReportWindowDep, Section


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


async def _rate_line(
    session: AsyncSession, cache: dict, *, vendor_id: int, task_type: str, language: str, window: ReportWindow
) -> tuple[rate_card_rules.RateLine, str] | None:
    """The contracted line (and currency) for the work, under the contract active when the window starts."""
    if vendor_id not in cache:
        contract = await contract_repository.active_contract_on(
            session, vendor_id=vendor_id, on=window.since.date()
        )
        lines = (
            [rule_line(r) for r in await rate_card_repository.rate_lines(session, contract_id=contract.id)]
            if contract
            else []
        )
        cache[vendor_id] = (lines, contract.currency if contract else None)
    lines, currency = cache[vendor_id]
    for unit in MEASURED_UNITS:
        try:
            line = rate_card_rules.match_rate_line(lines, task_type=task_type, language=language, unit=unit)
        except ValueError:  # an ambiguous rate card prices nothing rather than a guess
            return None
        if line is not None:
            return line, currency
    return None


def spend_rows(priced: list[tuple[int, int, str, Decimal, Decimal | None]]) -> list[dict]:
    """(project, vendor, currency, accepted units, amount or None when unpriced) → a row per project and vendor.

    Amounts add up only within one currency: a project worked by vendors paid in two currencies reports
    its spend per currency and no single total.
    """
    rows: dict[tuple[str, int], dict] = {}
    for project_id, vendor_id, currency, units, amount in priced:
        for key in (("project", project_id), ("vendor", vendor_id)):
            row = rows.setdefault(
                key, {"units": Decimal(0), "unpriced": Decimal(0), "spend": defaultdict(Decimal)}
            )
            if amount is None:
                row["unpriced"] += units
            else:
                row["units"] += units
                row["spend"][currency] += amount
    out = []
    for (scope, row_id), row in sorted(rows.items()):
        currencies = sorted(row["spend"])
        single = len(currencies) == 1
        out.append(
            {
                "scope": scope,
                "id": row_id,
                "spend": str(row["spend"][currencies[0]]) if single else None,
                "currency": currencies[0] if single else None,
                "spend_by_currency": {c: str(row["spend"][c]) for c in currencies},
                "priced_units": str(row["units"]),
                "unpriced_units": str(row["unpriced"]),
            }
        )
    return out


async def kpi_rows(session: ReadSessionDep, services: ServicesDep, window: ReportWindowDep) -> KpiRows:
    """Spend per project and vendor: units accepted in the window (measured by tasks) × contracted rates."""
    items = await production.production_between(services, since=window.since, until=window.until)
    cache: dict = {}
    priced = []
    for item in items:
        found = await _rate_line(
            session,
            cache,
            vendor_id=item.vendor_id,
            task_type=item.task_type,
            language=item.language,
            window=window,
        )
        amount = rate_card_rules.price_for_units(found[0], item.accepted_units, found[1]) if found else None
        priced.append(
            (item.project_id, item.vendor_id, found[1] if found else "", item.accepted_units, amount)
        )
    return KpiRows(rows=spend_rows(priced))
