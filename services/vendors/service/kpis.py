"""The vendors service's KPIs for the KPI report and the scorecards: production priced at contracted rates,
and cost per accepted label on either basis (rules.kpis)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.repository import contracts as contract_repository
from services.vendors.repository import rate_cards as rate_card_repository
from services.vendors.rules import rate_cards as rate_card_rules
from services.vendors.rules.kpis import contracted_cost_per_accepted_label
from services.vendors.service.budgets import MEASURED_UNITS
from services.vendors.service.production import ProductionItem
from services.vendors.service.rate_cards import rule_line

Priced = tuple[int, int, str, Decimal, Decimal | None]


async def _rate_line(
    session: AsyncSession, cache: dict, *, vendor_id: int, task_type: str, language: str, on: date
) -> tuple[rate_card_rules.RateLine, str] | None:
    """The contracted line (and currency) for the work, under the vendor's contract active on `on`."""
    if vendor_id not in cache:
        contract = await contract_repository.active_contract_on(session, vendor_id=vendor_id, on=on)
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


async def priced_production(session: AsyncSession, items: list[ProductionItem], *, on: date) -> list[Priced]:
    """(project, vendor, currency, accepted units, amount at contracted rates or None when unpriced) per
    production item, under each vendor's contract active on `on`."""
    cache: dict = {}
    priced: list[Priced] = []
    for item in items:
        found = await _rate_line(
            session, cache, vendor_id=item.vendor_id, task_type=item.task_type, language=item.language, on=on
        )
        amount = rate_card_rules.price_for_units(found[0], item.accepted_units, found[1]) if found else None
        priced.append(
            (item.project_id, item.vendor_id, found[1] if found else "", item.accepted_units, amount)
        )
    return priced


def spend_rows(priced: list[Priced]) -> list[dict]:
    """Priced production → a row per project and vendor: spend at contracted rates and the contracted cost
    per accepted label.

    Amounts add up only within one currency: a project worked by vendors paid in two currencies reports
    its spend per currency and no single total (nor a cost per label).
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
        spend = row["spend"][currencies[0]] if len(currencies) == 1 else None
        out.append(
            {
                "scope": scope,
                "id": row_id,
                "spend": None if spend is None else str(spend),
                "currency": currencies[0] if spend is not None else None,
                "spend_by_currency": {c: str(row["spend"][c]) for c in currencies},
                "priced_units": str(row["units"]),
                "unpriced_units": str(row["unpriced"]),
                "cost_per_accepted_label_contracted": _text(
                    contracted_cost_per_accepted_label(spend=spend, priced_units=row["units"])
                ),
            }
        )
    return out


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
