"""HTTP for /api/v1/rate-cards."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from services.vendors.deps import ContractToEdit, ContractToRead, VendorsManage, VendorsRead
from services.vendors.schemas.rate_cards import PriceQuote, RateCardRead, RateCardWrite
from services.vendors.service import budgets
from services.vendors.service import rate_cards as service
from shared.db import ReadSessionDep, SessionDep
from shared.http import ServicesDep
from shared.types import MAX_ID

router = APIRouter(prefix="/api/v1/rate-cards", tags=["rate-cards"])


@router.get("/price", response_model=PriceQuote)
async def price_lookup(
    session: ReadSessionDep,
    principal: VendorsRead,
    vendor_id: Annotated[int, Query(ge=1, le=MAX_ID)],
    task_type: Annotated[str, Query(min_length=1, max_length=50)],
    language: Annotated[str, Query(min_length=1, max_length=35)],
    units: Annotated[Decimal, Query(ge=0, max_digits=18, decimal_places=4)],
    unit: Annotated[str, Query(pattern="^(task|hour|item)$")] = "task",
    on: date | None = None,
):
    """The graduated-tier amount for `units` under the vendor's contract active on `on` (default today)."""
    return await service.price_lookup(
        session=session, principal=principal, vendor_id=vendor_id, task_type=task_type, language=language, unit=unit,
        units=units, on=on,
    )  # fmt: skip


@router.get("/{contract_id}", response_model=RateCardRead)
async def read_rate_card(contract: ContractToRead, session: ReadSessionDep):
    return await service.rate_card_of(session=session, contract=contract)


@router.put("/{contract_id}", response_model=RateCardRead)
async def write_rate_card(
    contract: ContractToEdit,
    data: RateCardWrite,
    session: SessionDep,
    services: ServicesDep,
    principal: VendorsManage,
):
    card = await service.write_rate_card(
        session=session, principal=principal, contract=contract, lines=data.lines
    )
    # New prices buy another number of units under the vendor's hard caps.
    await budgets.publish_caps_of_vendor(session=session, services=services, vendor_id=contract.vendor_id)
    return card
