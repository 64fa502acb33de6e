"""Who may do what on the tasks service: one named dependency per kind of access."""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require

OpsRead = Annotated[Principal, Depends(require("admin", "ops", "analyst"))]
ProjectsRead = Annotated[Principal, Depends(require("admin", "ops", "analyst", "vendor_manager"))]
ProjectsManage = Annotated[Principal, Depends(require("admin", "ops"))]
# Contributors read only the guidelines of projects they hold a live grant on (others are a 404).
GuidelinesRead = Annotated[
    Principal, Depends(require("admin", "ops", "analyst", "vendor_manager", "contributor"))
]
BudgetControl = Annotated[Principal, Depends(require("admin", "ops", "service"))]
# Contributors act on their own assignments only; the repository narrows every lookup to the caller.
Worker = Annotated[Principal, Depends(require("contributor"))]
ProductionRead = Annotated[
    Principal, Depends(require("admin", "ops", "vendor_manager", "analyst", "service", "vendor"))
]
ContributorStatsRead = Annotated[
    Principal, Depends(require("admin", "ops", "vendor_manager", "analyst", "vendor", "contributor"))
]
