"""Who may do what on the vendors service: one named dependency per kind of access.

Object-level scoping (a vendor user sees only its own vendor's rows, others are 404) lives in
`repository.readable`, so these only decide which roles may call a route at all.
"""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require

MANAGERS = ("admin", "ops", "vendor_manager")

# Vendors, contracts, rate cards, invoices and scorecards: a vendor user reads its own.
VendorsRead = Annotated[Principal, Depends(require(*MANAGERS, "analyst", "vendor"))]
VendorsManage = Annotated[Principal, Depends(require(*MANAGERS))]
# Internal-only records (communications, benchmarks, negotiations, budgets): staff read them.
StaffRead = Annotated[Principal, Depends(require(*MANAGERS, "analyst"))]
# A vendor user may create and submit its own invoices.
InvoicesWrite = Annotated[Principal, Depends(require(*MANAGERS, "vendor"))]
# VMS sources hold the shared secrets that authenticate inbound webhooks: administrators only.
VmsSourcesManage = Annotated[Principal, Depends(require("admin"))]
