"""The vendors service's route dependencies: who may call a route (one named dependency per kind of
access), the objects a route loads from its path, the settings, and the page parameters.

Object-level scoping (a vendor user sees only its own vendor's rows, others are 404) lives in the
repository's readable_* statements; the access dependencies only decide which roles may call a route
at all, and the load dependencies below fetch the path's row through those statements or answer 404.
"""

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from services.vendors.models import (
    Benchmark,
    Budget,
    Communication,
    Contract,
    Invoice,
    Scorecard,
    Vendor,
    VmsSource,
    WebhookSubscription,
)
from services.vendors.rules.access import VENDOR_MANAGERS
from services.vendors.service import (
    benchmarks,
    budgets,
    communications,
    contracts,
    invoices,
    scorecards,
    subscriptions,
    vendors,
    webhooks,
)
from services.vendors.service.common import lock_for_edit
from services.vendors.settings import VendorsSettings
from shared.auth import Principal, require
from shared.db import ReadSessionDep, SessionDep
from shared.pagination import PageParams, page_params
from shared.types import PathId

# Vendors, contracts, rate cards, invoices and scorecards: a vendor user reads its own.
VendorsRead = Annotated[Principal, Depends(require(*VENDOR_MANAGERS, "analyst", "vendor"))]
VendorsManage = Annotated[Principal, Depends(require(*VENDOR_MANAGERS))]
# Internal-only records (communications, benchmarks, negotiations, budgets): staff read them.
InternalRecordsRead = Annotated[Principal, Depends(require(*VENDOR_MANAGERS, "analyst"))]
# A vendor user may create and submit its own invoices.
InvoicesWrite = Annotated[Principal, Depends(require(*VENDOR_MANAGERS, "vendor"))]
# VMS sources hold the shared secrets that authenticate inbound webhooks: administrators only.
VmsSourcesManage = Annotated[Principal, Depends(require("admin"))]


def _settings(request: Request) -> VendorsSettings:
    return request.app.state.settings


SettingsDep = Annotated[VendorsSettings, Depends(_settings)]
Paging = Annotated[PageParams, Depends(page_params)]


def _loader(model: type, get_one: Callable[..., Awaitable[Any]], id_name: str) -> Callable[..., Any]:
    """`loader(access, write=False)` → `Annotated[model, …]`: the row named by the path parameter
    `id_name`, loaded by the service's load-or-404 `get_one` within the caller's scope, once the caller
    has passed `access`.

    A read route loads in the read-only session it reads with; a write route (`write=True`) loads in
    the request's write transaction and locks the row (`lock_for_edit`), so the handler changes the
    very row it was given, after any edit in flight, and the commit after the handler writes it. One
    factory serves both because the two sessions are different dependencies, and FastAPI reads a
    dependency's parameters from its signature.
    """

    def loader(access: Any, *, write: bool = False) -> Any:
        async def load(**params: Any) -> Any:
            row = await get_one(**params)
            if write:
                row = await lock_for_edit(params["session"], row, id_name.removesuffix("_id"))
            return row

        load.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                # The access check runs first: a caller without the role gets 403, never a 404 that
                # would tell whether the id exists.
                inspect.Parameter("principal", inspect.Parameter.KEYWORD_ONLY, annotation=access),
                inspect.Parameter(
                    "session",
                    inspect.Parameter.KEYWORD_ONLY,
                    annotation=SessionDep if write else ReadSessionDep,
                ),
                inspect.Parameter(id_name, inspect.Parameter.KEYWORD_ONLY, annotation=PathId),
            ],
            return_annotation=model,
        )
        load.__name__ = f"load_{model.__name__.lower()}{'_to_edit' if write else ''}"
        return Annotated[model, Depends(load)]

    return loader


_vendor = _loader(Vendor, vendors.get_vendor, "vendor_id")
_communication = _loader(Communication, communications.get_communication, "communication_id")
_contract = _loader(Contract, contracts.get_contract, "contract_id")
_benchmark = _loader(Benchmark, benchmarks.get_benchmark, "benchmark_id")
_budget = _loader(Budget, budgets.get_budget, "budget_id")
_invoice = _loader(Invoice, invoices.get_invoice, "invoice_id")
_scorecard = _loader(Scorecard, scorecards.get_scorecard, "scorecard_id")
_subscription = _loader(WebhookSubscription, subscriptions.get_subscription, "subscription_id")
_vms_source = _loader(VmsSource, webhooks.get_source, "source_id")

# <Resource>ToRead for the read routes, <Resource>ToEdit for the routes that change it, each with the
# access its routes require.
VendorToRead = _vendor(VendorsRead)
VendorToEdit = _vendor(VendorsManage, write=True)
CommunicationToRead = _communication(InternalRecordsRead)
CommunicationToEdit = _communication(VendorsManage, write=True)
ContractToRead = _contract(VendorsRead)
ContractToEdit = _contract(VendorsManage, write=True)
BenchmarkToRead = _benchmark(InternalRecordsRead)
BenchmarkToEdit = _benchmark(VendorsManage, write=True)
BudgetToRead = _budget(InternalRecordsRead)
BudgetToEdit = _budget(VendorsManage, write=True)
InvoiceToRead = _invoice(VendorsRead)
InvoiceToEdit = _invoice(InvoicesWrite, write=True)
ScorecardToRead = _scorecard(VendorsRead)
ScorecardToEdit = _scorecard(VendorsManage, write=True)
SubscriptionToRead = _subscription(InternalRecordsRead)
SubscriptionToEdit = _subscription(VendorsManage, write=True)
VmsSourceToEdit = _vms_source(VmsSourcesManage, write=True)
