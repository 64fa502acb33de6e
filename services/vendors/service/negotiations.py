"""Negotiation rounds on a contract's rates, each line compared with its market benchmark."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Contract, NegotiationRound
from services.vendors.repository import benchmarks as benchmark_repository
from services.vendors.repository import negotiations as negotiation_repository
from services.vendors.rules.benchmarks import compare_to_benchmark
from services.vendors.schemas.negotiations import NegotiationCreate
from services.vendors.schemas.rate_cards import RateLineIn
from services.vendors.service import rate_cards
from services.vendors.service.common import actor, found, jsonable, lock_for_edit
from services.vendors.service.contracts import get_contract
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict
from shared.pagination import PageParams, page_of


async def compare_lines(*, session: AsyncSession, round_: NegotiationRound, currency: str) -> list[dict]:
    """Each proposed line with its benchmark position: % above (+) or below (−) the median and its band."""
    compared = []
    for line in round_.lines:
        benchmark = await benchmark_repository.find_benchmark(
            session,
            task_type=line["task_type"],
            language=line["language"],
            region=round_.region,
            unit=line["unit"],
            currency=currency,
        )
        comparison = None
        if benchmark is not None:
            result = compare_to_benchmark(
                Decimal(line["unit_price"]), p25=benchmark.p25, median=benchmark.median, p75=benchmark.p75
            )
            comparison = {
                "benchmark_id": benchmark.id,
                "p25": str(benchmark.p25),
                "median": str(benchmark.median),
                "p75": str(benchmark.p75),
                "percent_vs_median": str(result.percent_vs_median),
                "band": result.band.value,
            }
        compared.append({**line, "benchmark": comparison})
    return compared


async def propose_round(
    *, session: AsyncSession, principal: Principal, data: NegotiationCreate
) -> NegotiationRound:
    contract = await get_contract(session=session, principal=principal, contract_id=data.contract_id)
    if contract.status not in ("draft", "negotiating", "active"):
        raise Conflict(f"contract {contract.id} is {contract.status}; its rates can no longer be negotiated")
    rate_cards.rows_from(
        data.lines, contract_id=contract.id
    )  # same validation as the rate card it may become
    round_ = NegotiationRound(
        contract_id=contract.id,
        proposed_by=data.proposed_by,
        region=data.region,
        note=data.note,
        lines=jsonable([line.model_dump() for line in data.lines]),
        created_by=actor(principal),
    )
    session.add(round_)
    await session.flush()
    return round_


async def get_round(
    *, session: AsyncSession, principal: Principal, round_id: int
) -> tuple[NegotiationRound, Contract]:
    row = await negotiation_repository.get_round(session, principal=principal, round_id=round_id)
    round_ = found(row, "negotiation round", round_id)
    return round_, await get_contract(session=session, principal=principal, contract_id=round_.contract_id)


async def decide_round(
    *, session: AsyncSession, principal: Principal, round_: NegotiationRound, contract: Contract, accept: bool
) -> NegotiationRound:
    """Accepting writes the round's lines as the contract's rate card; other open rounds are superseded.

    The contract is locked first, as every edit of it is, so decisions on its rounds (and its rate card
    edits) run one after the other; the round is then read as the last decision left it, so a round is
    decided once and its rate card written once."""
    contract = await lock_for_edit(session, contract, "contract")
    round_ = await lock_for_edit(session, round_, "negotiation round")
    if round_.status != "open":
        raise Conflict(f"negotiation round {round_.id} is already {round_.status}")
    round_.status = "accepted" if accept else "rejected"
    round_.decided_at = utcnow()
    if accept:
        lines = [RateLineIn(**line) for line in round_.lines]
        await rate_cards.write_rate_card(session=session, principal=principal, contract=contract, lines=lines)
        for other in await negotiation_repository.rounds_of_contract(session, contract_id=contract.id):
            if other.id != round_.id and other.status == "open":
                other.status = "superseded"
                other.decided_at = round_.decided_at
    await session.flush()
    return round_


async def list_rounds(
    *, session: AsyncSession, principal: Principal, page: PageParams, contract_id: int | None
) -> tuple[list[NegotiationRound], int | None]:
    rows = await negotiation_repository.list_rounds(
        session, principal=principal, page=page, contract_id=contract_id
    )
    return page_of(rows, limit=page.limit)
