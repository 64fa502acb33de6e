"""The Vendors pages' calls to the API: vendors, one vendor's contracts, budgets with spend and forecast,
invoices with their reconciliation and the moves on them. A vendor user asking for another vendor gets the
API's 404, which is the page's."""

from __future__ import annotations

import asyncio
from typing import Any

from services.console.service.gateway import Gateway


async def list_vendors(*, gateway: Gateway, q: str, status: str, cursor: str | None, limit: int):
    return await gateway.get("/vendors", q=q, status=status, cursor=cursor, limit=limit)


async def vendor_overview(*, gateway: Gateway, vendor_id: int, with_budgets: bool) -> dict[str, Any]:
    """`with_budgets` for staff only: budgets are the client's money, which a vendor's own staff never read."""
    vendor = await gateway.get(f"/vendors/{vendor_id}")
    contracts, budgets, invoices = await asyncio.gather(
        gateway.get("/contracts", vendor_id=vendor_id, limit=50),
        gateway.get("/budgets", vendor_id=vendor_id, limit=20) if with_budgets else _no_page(),
        gateway.get("/invoices", vendor_id=vendor_id, limit=50),
    )
    scorecards = await gateway.get("/scorecards", vendor_id=vendor_id, limit=12)
    spends = await asyncio.gather(*(gateway.get(f"/budgets/{b['id']}/spend") for b in budgets["items"]))
    for budget, spend in zip(budgets["items"], spends, strict=True):
        budget["spend"] = spend
    return {
        "vendor": vendor,
        "contracts": contracts["items"],
        "budgets": budgets["items"],
        "invoices": invoices["items"],
        "scorecards": scorecards["items"],
    }


async def rate_card_against_market(
    *, gateway: Gateway, contracts: list[dict], with_benchmarks: bool
) -> dict[str, Any] | None:
    """The rate card of the contract in force (else the newest), each line with its market benchmarks
    (staff only: benchmarks are the client's market research, which a vendor's staff never read)."""
    if not contracts:
        return None
    contract = next((c for c in contracts if c["status"] == "active"), contracts[0])
    card = await gateway.get(f"/rate-cards/{contract['id']}")
    lines = card["lines"][:30]
    found = await asyncio.gather(
        *(
            gateway.get("/benchmarks", task_type=line["task_type"], language=line["language"], limit=20)
            if with_benchmarks
            else _no_page()
            for line in lines
        )
    )
    return {
        "contract": contract,
        "currency": card["currency"],
        "lines": lines,
        "benchmarks": [f["items"] for f in found],
    }


async def invoice_review(*, gateway: Gateway, invoice_id: int) -> dict[str, Any]:
    invoice = await gateway.get(f"/invoices/{invoice_id}")
    reconciliation, audit = await asyncio.gather(
        gateway.get(f"/invoices/{invoice_id}/reconciliation"), gateway.get(f"/invoices/{invoice_id}/audit")
    )
    return {"invoice": invoice, "reconciliation": reconciliation, "audit": audit["items"]}


async def move_invoice(
    *, gateway: Gateway, invoice_id: int, to: str, reason: str | None, override: str | None
):
    body: dict[str, Any] = {"to": to, "reason": reason or None}
    if override:
        body["override_reason"] = override
    return await gateway.post(f"/invoices/{invoice_id}/transitions", body)


async def _no_page() -> dict[str, Any]:
    return {"items": [], "next_cursor": None}
