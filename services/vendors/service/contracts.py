"""Contracts: status machine, SLA terms and credit rules, one active contract per vendor and period, versions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import Contract, ContractVersion
from services.vendors.repository import contracts as contract_repository
from services.vendors.repository import rate_cards as rate_card_repository
from services.vendors.rules.scorecards import CreditRule, SLATerms
from services.vendors.rules.transitions import CONTRACT_STATUSES, check_transition
from services.vendors.schemas.contracts import ContractCreate, ContractUpdate
from services.vendors.service import subscriptions
from services.vendors.service.common import actor, found, jsonable, touch
from services.vendors.service.vendors import get_vendor
from shared.auth import Principal
from shared.errors import Conflict, Unprocessable
from shared.pagination import PageParams, page_of

# Terms may change while a contract is being drafted or negotiated; an active one is changed by a new
# contract (or an accepted negotiation round, which only rewrites the rate card).
EDITABLE = ("draft", "negotiating")


def sla_terms_of(contract: Contract) -> SLATerms:
    """The contract's terms as the pure scorecard rules read them."""
    terms = {k: (None if v is None else Decimal(v)) for k, v in contract.sla_terms.items()}
    rules = tuple(
        CreditRule(
            term=rule["term"],
            percent_per_point=Decimal(rule["percent_per_point"]),
            cap_percent=Decimal(rule["cap_percent"]),
        )
        for rule in contract.credit_rules
    )
    return SLATerms(**terms, credit_rules=rules)


def _check_terms(contract: Contract) -> None:
    try:
        sla_terms_of(contract)
    except ValueError as exc:
        raise Unprocessable(
            str(exc),
            errors=[{"pointer": "/credit_rules", "field": "credit_rules", "in": "body", "detail": str(exc)}],
        ) from exc


def _snapshot(contract: Contract) -> dict:
    return jsonable(
        {
            name: getattr(contract, name)
            for name in (
                "title", "status", "starts_on", "ends_on", "currency", "payment_terms_days", "sla_terms", "credit_rules",
            )
        }
    )  # fmt: skip


async def record_version(*, session: AsyncSession, contract: Contract, principal: Principal) -> None:
    """Keep the contract as it now stands, rate card included, under its current version number."""
    await session.flush()
    lines = await rate_card_repository.rate_lines(session, contract_id=contract.id)
    rate_card = [
        {
            "task_type": r.task_type,
            "language": r.language,
            "unit": r.unit,
            "unit_price": r.unit_price,
            "tiers": r.tiers,
        }
        for r in lines
    ]
    session.add(
        ContractVersion(
            contract_id=contract.id,
            version=contract.version,
            snapshot=_snapshot(contract) | {"rate_card": jsonable(rate_card)},
            changed_by=actor(principal),
        )
    )
    await session.flush()


async def create_contract(*, session: AsyncSession, principal: Principal, data: ContractCreate) -> Contract:
    await get_vendor(session=session, principal=principal, vendor_id=data.vendor_id)
    values = data.model_dump(mode="json", exclude_none=False)
    values["sla_terms"] = {k: v for k, v in values["sla_terms"].items() if v is not None}
    contract = Contract(**{**values, "starts_on": data.starts_on, "ends_on": data.ends_on})
    _check_terms(contract)
    session.add(contract)
    await session.flush()
    await record_version(session=session, contract=contract, principal=principal)
    return contract


async def get_contract(*, session: AsyncSession, principal: Principal, contract_id: int) -> Contract:
    row = await contract_repository.get_contract(session, principal=principal, contract_id=contract_id)
    return found(row, "contract", contract_id)


async def update_contract(
    *, session: AsyncSession, principal: Principal, contract: Contract, data: ContractUpdate
) -> Contract:
    """Change terms of a draft or negotiating contract; every change is kept as a new version."""
    if contract.status not in EDITABLE:
        raise Conflict(f"a contract in status '{contract.status}' cannot be edited; start a new contract")
    values = data.model_dump(mode="json", exclude_unset=True)
    for name in ("title", "payment_terms_days", "credit_rules"):
        if values.get(name) is not None:
            setattr(contract, name, values[name])
    if values.get("sla_terms") is not None:
        contract.sla_terms = {k: v for k, v in values["sla_terms"].items() if v is not None}
    contract.starts_on = data.starts_on or contract.starts_on
    contract.ends_on = data.ends_on or contract.ends_on
    if contract.ends_on < contract.starts_on:
        raise Unprocessable(
            "ends_on must not be before starts_on",
            errors=[{"pointer": "/ends_on", "field": "ends_on", "in": "body", "detail": "before starts_on"}],
        )
    _check_terms(contract)
    touch(contract)
    await session.flush()
    await record_version(session=session, contract=contract, principal=principal)
    return contract


async def move_contract(
    *, session: AsyncSession, principal: Principal, contract: Contract, to: str
) -> Contract:
    """draft → negotiating → active → expired|terminated; only one active contract per vendor per period."""
    check_transition(CONTRACT_STATUSES, current=contract.status, target=to)
    if to == "active":
        clash = await contract_repository.overlapping_active_contract(
            session,
            vendor_id=contract.vendor_id,
            starts_on=contract.starts_on,
            ends_on=contract.ends_on,
            other_than=contract.id,
        )
        if clash is not None:
            raise Conflict(
                f"vendor {contract.vendor_id} already has active contract {clash.id} "
                f"for {clash.starts_on}..{clash.ends_on}; expire or terminate it first",
                conflicting_contract_id=clash.id,
            )
    contract.status = to
    touch(contract)
    await session.flush()
    await record_version(session=session, contract=contract, principal=principal)
    if to == "active":
        await subscriptions.emit(session, "contract.activated", {"contract": _snapshot(contract) | {
            "id": contract.id, "vendor_id": contract.vendor_id}})  # fmt: skip
    return contract


async def list_contracts(
    *, session: AsyncSession, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Contract], int | None]:
    """Filters: vendor_id, status (None: any)."""
    rows = await contract_repository.list_contracts(session, principal=principal, page=page, **filters)
    return page_of(rows, limit=page.limit)


async def contract_versions(
    *, session: AsyncSession, contract: Contract, page: PageParams
) -> tuple[list[ContractVersion], str | None]:
    """Every saved state of the contract, oldest first, a page at a time."""
    rows = await contract_repository.list_contract_versions(session, contract_id=contract.id, page=page)
    return page_of(rows, limit=page.limit)
