"""Rate cards of contracts and the tiered price lookup."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Contract, RateLine
from services.vendors.repository import contracts as contract_repository
from services.vendors.repository import rate_cards as rate_card_repository
from services.vendors.rules import rate_cards as rate_card_rules
from services.vendors.schemas.rate_cards import PriceQuote, RateCardRead, RateLineIn, RateLineRead
from services.vendors.service import contracts
from services.vendors.service.common import jsonable, touch
from services.vendors.service.vendors import get_vendor
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import NotFound, Unprocessable


def rule_line(row: RateLine) -> rate_card_rules.RateLine:
    tiers = tuple(rate_card_rules.Tier(Decimal(t["from_units"]), Decimal(t["unit_price"])) for t in row.tiers)
    return rate_card_rules.RateLine(row.task_type, row.language, row.unit, row.unit_price, tiers)


def rows_from(lines: list[RateLineIn], *, contract_id: int) -> list[RateLine]:
    """Validate every line with the pricing rules (tier order), pointing at the offending line on error."""
    rows = []
    for index, line in enumerate(lines):
        row = RateLine(
            contract_id=contract_id,
            task_type=line.task_type,
            language=line.language,
            unit=line.unit,
            unit_price=line.unit_price,
            tiers=jsonable([t.model_dump() for t in line.tiers]),
        )
        try:
            rule_line(row)
        except ValueError as exc:
            pointer = f"/lines/{index}/tiers"
            raise Unprocessable(
                str(exc), errors=[{"pointer": pointer, "field": pointer[1:].replace("/", "."), "in": "body",
                                   "detail": str(exc)}]
            ) from exc  # fmt: skip
        rows.append(row)
    return rows


async def rate_card_of(*, session: AsyncSession, contract: Contract) -> RateCardRead:
    rows = await rate_card_repository.rate_lines(session, contract_id=contract.id)
    return RateCardRead(
        contract_id=contract.id,
        vendor_id=contract.vendor_id,
        currency=contract.currency,
        lines=[RateLineRead(task_type=r.task_type, language=r.language, unit=r.unit, unit_price=r.unit_price,
                            tiers=r.tiers) for r in rows],
    )  # fmt: skip


async def write_rate_card(
    *, session: AsyncSession, principal: Principal, contract: Contract, lines: list[RateLineIn]
) -> RateCardRead:
    """Replace the contract's rate card with `lines` (the contract's currency prices them); a new version."""
    await rate_card_repository.replace_rate_lines(
        session, contract_id=contract.id, lines=rows_from(lines, contract_id=contract.id)
    )
    touch(contract)
    await contracts.record_version(session=session, contract=contract, principal=principal)
    return await rate_card_of(session=session, contract=contract)


async def price_lookup(
    *,
    session: AsyncSession,
    principal: Principal,
    vendor_id: int,
    task_type: str,
    language: str,
    unit: str,
    units: Decimal,
    on: date | None,
) -> PriceQuote:
    """The graduated-tier amount for `units` under the vendor's contract active on `on` (default today)."""
    await get_vendor(session=session, principal=principal, vendor_id=vendor_id)
    day = on or utcnow().date()
    contract = await contract_repository.active_contract_on(session, vendor_id=vendor_id, on=day)
    if contract is None:
        raise NotFound(f"vendor {vendor_id} has no active contract on {day}")
    lines = [rule_line(r) for r in await rate_card_repository.rate_lines(session, contract_id=contract.id)]
    line = rate_card_rules.match_rate_line(lines, task_type=task_type, language=language, unit=unit)
    if line is None:
        raise NotFound(f"contract {contract.id} has no rate for {task_type} × {language} per {unit}")
    return PriceQuote(
        vendor_id=vendor_id,
        contract_id=contract.id,
        task_type=task_type,
        language=language,
        unit=unit,
        units=units,
        currency=contract.currency,
        amount=rate_card_rules.price_for_units(line, units, contract.currency),
        matched_language=line.language,
    )


async def contracted_prices(
    *, session: AsyncSession, contract: Contract | None
) -> dict[tuple[str, str], rate_card_rules.RateLine]:
    """(task_type, language) → rate line of the contract, for spend and reconciliation."""
    if contract is None:
        return {}
    return {
        (r.task_type, r.language): rule_line(r)
        for r in await rate_card_repository.rate_lines(session, contract_id=contract.id)
    }
