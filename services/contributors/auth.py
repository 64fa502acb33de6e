"""Who may do what on the contributors service: one named dependency per kind of access."""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require

ContributorsRead = Annotated[
    Principal,
    Depends(require("admin", "ops", "support", "analyst", "vendor_manager", "vendor", "contributor")),
]
ContributorsManage = Annotated[
    Principal, Depends(require("admin", "ops", "support", "vendor", "integration"))
]
