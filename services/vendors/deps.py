"""The vendors service's route dependencies: who may call a route (one named dependency per kind of
access), the settings, and the page parameters.

Object-level scoping (a vendor user sees only its own vendor's rows, others are 404) lives in the
repository's readable_* statements, so these only decide which roles may call a route at all.
"""

from typing import Annotated

from fastapi import Depends, Request

from services.vendors.rules.access import VENDOR_MANAGERS
from services.vendors.settings import VendorsSettings
from shared.auth import Principal, require
from shared.pagination import PageParams, page_params

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
