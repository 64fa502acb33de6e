"""Who may do what on the vendors service: one named dependency per kind of access."""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require

VendorsRead = Annotated[Principal, Depends(require("admin", "ops", "vendor_manager", "analyst", "vendor"))]
VendorsManage = Annotated[Principal, Depends(require("admin", "ops", "vendor_manager"))]
