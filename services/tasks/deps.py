"""Who may do what on the tasks service: one named dependency per kind of access, and the role sets the
repository scopes reads with."""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require

# Read every project, its guidelines, queues, rules and firings (contributors read only the guidelines of
# projects they hold a live grant on: repository.projects.readable_projects).
# Peer services too: vendors prices a budget's cap by the project's task type and language.
PROJECT_READERS = ("admin", "ops", "analyst", "vendor_manager", "service")
# Read every vendor's production and every contributor's figures; vendor users and contributors read
# only their own (repository.stats).
FIGURES_READERS = ("admin", "ops", "vendor_manager", "analyst", "service")

OpsRead = Annotated[Principal, Depends(require("admin", "ops", "analyst"))]
ProjectsRead = Annotated[Principal, Depends(require(*PROJECT_READERS))]
ProjectsManage = Annotated[Principal, Depends(require("admin", "ops"))]
GuidelinesRead = Annotated[Principal, Depends(require(*PROJECT_READERS, "contributor"))]
BudgetControl = Annotated[Principal, Depends(require("admin", "ops", "service"))]
# Why a contributor gets no work: staff about anyone, a contributor about itself (assignment/leasing.py).
ELIGIBILITY_STAFF = ("admin", "ops")
ExplainEligibility = Annotated[Principal, Depends(require(*ELIGIBILITY_STAFF, "contributor"))]
# The same about every queue at once; the contributors service asks on behalf of its callers.
ExplainAccess = Annotated[Principal, Depends(require(*ELIGIBILITY_STAFF, "contributor", "service"))]
# Contributors act on their own assignments only; the repository narrows every lookup to the caller.
Worker = Annotated[Principal, Depends(require("contributor"))]
ProductionRead = Annotated[Principal, Depends(require(*FIGURES_READERS, "vendor"))]
ContributorStatsRead = Annotated[
    Principal, Depends(require("admin", "ops", "vendor_manager", "analyst", "vendor", "contributor"))
]
