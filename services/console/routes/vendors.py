"""Vendors: the list (a vendor's own staff go straight to theirs), one vendor's contracts, budgets with
spend and forecast against the cap as charts, invoices, and one invoice reconciled line by line with
approve and dispute."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse

from services.console.deps import SettingsDep, VendorsArea
from services.console.routes.pages import ListFile, console_router, list_file, render
from services.console.rules.charts import budget_chart
from services.console.rules.menu import STAFF
from services.console.rules.rates import against_market, matching_benchmark, rate_chart
from services.console.rules.tables import table_links
from services.console.schemas.forms import InvoiceMoveForm
from services.console.service import vendors as service
from shared.types import PathId

router = console_router(prefix="/vendors")

# Who reads budgets in the API (a vendor's own staff do not).
BUDGET_READERS = ("admin", "ops", "vendor_manager", "analyst")
STATUSES = ("prospect", "onboarding", "active", "suspended", "terminated")


@router.get("")
async def vendors(
    request: Request,
    console: VendorsArea,
    settings: SettingsDep,
    q: str = "",
    status: str = "",
    cursor: str | None = None,
):
    if console.viewer.vendor_id is not None and not console.viewer.has_any(*STAFF):
        return RedirectResponse(f"/vendors/{console.viewer.vendor_id}", status_code=303)
    status = status if status in STATUSES else ""
    page = await service.list_vendors(
        gateway=console.gateway, q=q.strip()[:200], status=status, cursor=cursor, limit=settings.page_size
    )
    return render(
        request,
        console,
        "vendors.html",
        active="vendors",
        vendors=page["items"],
        q=q,
        status=status,
        statuses=STATUSES,
        **table_links(
            "/vendors",
            {"q": q, "status": status},
            cursor=cursor,
            next_cursor=page.get("next_cursor"),
            download="/vendors/download",
        ),
    )


@router.get("/download.{format}")
async def vendors_download(format: ListFile, console: VendorsArea, q: str = "", status: str = ""):
    """Every vendor the list's filters match (a vendor user's file: its own vendor), as a file."""
    return await list_file(
        console, "/vendors", format, q=q.strip()[:200], status=status if status in STATUSES else ""
    )


@router.get("/{vendor_id}/invoices/download.{format}")
async def invoices_download(format: ListFile, vendor_id: PathId, console: VendorsArea):
    """Every invoice of the vendor, as a file."""
    return await list_file(console, "/invoices", format, vendor_id=vendor_id)


@router.get("/{vendor_id}")
async def vendor(request: Request, vendor_id: PathId, console: VendorsArea):
    overview = await service.vendor_overview(
        gateway=console.gateway, vendor_id=vendor_id, with_budgets=console.viewer.has_any(*BUDGET_READERS)
    )
    staff = console.viewer.has_any(*BUDGET_READERS)
    card = await service.rate_card_against_market(
        gateway=console.gateway, contracts=overview["contracts"], with_benchmarks=staff
    )
    rates = None
    if card is not None:
        rows = [
            {
                "line": line,
                "market": against_market(
                    line["unit_price"], matching_benchmark(line, found, currency=card["currency"])
                ),
            }
            for line, found in zip(card["lines"], card["benchmarks"], strict=True)
        ]
        rates = {
            "contract": card["contract"],
            "currency": card["currency"],
            "rows": rows,
            "chart": rate_chart(rows),
        }
    for budget in overview["budgets"]:
        spend = budget["spend"]
        budget["chart"] = budget_chart(
            amount=spend["amount"],
            spend=spend["spend"],
            forecast=spend["forecast_at_completion"],
            currency=spend["currency"],
        )
    return render(
        request,
        console,
        "vendor.html",
        active="vendors",
        rates=rates,
        invoice_download_link=lambda format: f"/vendors/{vendor_id}/invoices/download.{format}",
        **overview,
    )


@router.get("/{vendor_id}/invoices/{invoice_id}")
async def invoice(request: Request, vendor_id: PathId, invoice_id: PathId, console: VendorsArea):
    review = await service.invoice_review(gateway=console.gateway, invoice_id=invoice_id)
    if review["invoice"]["vendor_id"] != vendor_id:
        return RedirectResponse(f"/vendors/{review['invoice']['vendor_id']}/invoices/{invoice_id}", 303)
    return render(request, console, "invoice.html", active="vendors", **review)


@router.post("/{vendor_id}/invoices/{invoice_id}/transitions")
async def move_invoice(
    vendor_id: PathId, invoice_id: PathId, console: VendorsArea, form: Annotated[InvoiceMoveForm, Form()]
):
    await service.move_invoice(
        gateway=console.gateway,
        invoice_id=invoice_id,
        to=form.to,
        reason=form.reason,
        override=form.override_reason,
    )
    return RedirectResponse(f"/vendors/{vendor_id}/invoices/{invoice_id}", status_code=303)
