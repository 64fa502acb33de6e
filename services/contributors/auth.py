"""Who may do what on the contributors service: one named dependency per kind of access.

These decide which roles may call a route at all. Which rows a caller may touch is decided once, in
`repository.contributors.readable_contributors` (a vendor user sees its vendor's people, a contributor
itself; anything else is a 404 so ids of other vendors' people are not even confirmed).
"""

from typing import Annotated

from fastapi import Depends

from shared.auth import SERVICE_ROLE, Principal, require

MANAGERS = ("admin", "ops", "support")
STAFF_READERS = (*MANAGERS, "analyst", "vendor_manager")

ContributorsRead = Annotated[
    Principal, Depends(require(*STAFF_READERS, "vendor", "contributor", SERVICE_ROLE))
]
# The vendors service registers VMS-onboarded workers and integrations import rosters.
ContributorsCreate = Annotated[Principal, Depends(require(*MANAGERS, "vendor", "integration", SERVICE_ROLE))]
ContributorsManage = Annotated[Principal, Depends(require(*MANAGERS, "vendor"))]
# A contributor edits parts of its own profile, completes self-service onboarding steps, checks in.
ContributorsSelfService = Annotated[Principal, Depends(require(*MANAGERS, "vendor", "contributor"))]
# Profile edits: the self-service callers, and the vendors service applying a VMS roster update.
ContributorsEdit = Annotated[Principal, Depends(require(*MANAGERS, "vendor", "contributor", SERVICE_ROLE))]
# The vendors service offboards workers a VMS reports as gone.
ContributorsTransition = Annotated[Principal, Depends(require(*MANAGERS, "vendor", SERVICE_ROLE))]
QualificationsManage = Annotated[Principal, Depends(require(*MANAGERS))]
# Vetting opens the most harmful content to a person: only ops and admins record or revoke it; a vendor
# sees its own staff's vetting, never a contributor (revocation reasons are staff notes).
VettingRead = Annotated[Principal, Depends(require(*STAFF_READERS, "vendor"))]
VettingManage = Annotated[Principal, Depends(require("admin", "ops"))]
ContributorsErase = Annotated[Principal, Depends(require(*MANAGERS))]
RosterImport = Annotated[Principal, Depends(require(*MANAGERS, "vendor", "integration"))]
RosterExport = Annotated[Principal, Depends(require(*MANAGERS, "analyst", "vendor"))]

CampaignsRead = Annotated[Principal, Depends(require(*MANAGERS, "analyst"))]
CampaignsManage = Annotated[Principal, Depends(require(*MANAGERS))]

TicketsRead = Annotated[Principal, Depends(require(*MANAGERS, "analyst", "contributor"))]
TicketsWrite = Annotated[Principal, Depends(require(*MANAGERS, "contributor"))]
TicketsManage = Annotated[Principal, Depends(require(*MANAGERS))]
TicketsReport = Annotated[Principal, Depends(require(*MANAGERS, "analyst"))]

AnnouncementsRead = Annotated[Principal, Depends(require(*MANAGERS, "analyst"))]
AnnouncementsManage = Annotated[Principal, Depends(require(*MANAGERS))]
FeedRead = Annotated[Principal, Depends(require(*MANAGERS, "analyst", "vendor", "contributor"))]

WellnessPolicyRead = Annotated[Principal, Depends(require(*STAFF_READERS, "vendor"))]
WellnessPolicyManage = Annotated[Principal, Depends(require("admin", "ops"))]
CheckInsRead = Annotated[Principal, Depends(require(*MANAGERS, "contributor"))]

# Shift notes are the staff's own handover: never shown to contributors or vendors.
ShiftNotesRead = Annotated[Principal, Depends(require(*STAFF_READERS))]
ShiftNotesWrite = Annotated[Principal, Depends(require(*MANAGERS, "vendor_manager"))]


def is_manager(principal: Principal) -> bool:
    return principal.has_any(*MANAGERS)


def vendor_scope(principal: Principal) -> int | None:
    """The vendor a non-staff caller is bound to (a vendor user, a vendor's integration), else None."""
    if principal.has_any(*MANAGERS) or principal.is_service:
        return None
    if principal.has_any("vendor", "integration"):
        return principal.vendor_id
    return None


def actor_of(principal: Principal) -> str:
    """How history records a caller: its subject (user:7, apikey:3, service:vendors), never a name."""
    return principal.subject[:100]
