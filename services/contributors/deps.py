"""Who may call what on the contributors service, and the objects routes load within the caller's scope.

The named access dependencies decide which roles may call a route at all (the contributors' role sets
are in rules/access.py, the platform's in shared/auth.py). Which rows a caller may touch is decided once, in
`repository.contributors.readable_contributors` and `repository.tickets.readable_tickets` (a vendor user
sees its vendor's people, a contributor itself; anything else is a 404 so ids of other vendors' people
are not even confirmed); `contributor_for` and `ticket_for` load a path's object through them or 404.
"""

from typing import Annotated, Any

from fastapi import Depends, Request

from services.contributors.models import Contributor, Ticket
from services.contributors.rules.access import CONTRIBUTOR_MANAGERS, SHIFT_NOTE_WRITERS
from services.contributors.service import contributors as contributor_service
from services.contributors.service import tickets as ticket_service
from services.contributors.settings import ContributorsSettings
from shared.auth import OPERATIONS_STAFF, SERVICE_ROLE, Principal, require
from shared.db import ReadSessionDep, SessionDep
from shared.types import PathId

ContributorsRead = Annotated[
    Principal, Depends(require(*OPERATIONS_STAFF, "vendor", "contributor", SERVICE_ROLE))
]
# The vendors service registers VMS-onboarded workers and integrations import rosters.
ContributorsCreate = Annotated[
    Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "vendor", "integration", SERVICE_ROLE))
]
ContributorsManage = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "vendor"))]
# A contributor edits parts of its own profile, completes self-service onboarding steps, checks in.
ContributorsSelfService = Annotated[
    Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "vendor", "contributor"))
]
# Profile edits: the self-service callers, and the vendors service applying a VMS roster update.
ContributorsEdit = Annotated[
    Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "vendor", "contributor", SERVICE_ROLE))
]
# The vendors service offboards workers a VMS reports as gone.
ContributorsTransition = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "vendor", SERVICE_ROLE))]
QualificationsManage = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS))]
# Vetting opens the most harmful content to a person: only ops and admins record or revoke it; a vendor
# sees its own staff's vetting, never a contributor (revocation reasons are staff notes).
VettingRead = Annotated[Principal, Depends(require(*OPERATIONS_STAFF, "vendor"))]
VettingManage = Annotated[Principal, Depends(require("admin", "ops"))]
ContributorsErase = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS))]
# A DSAR export holds everything about a person across services: admins only.
PersonalDataExport = Annotated[Principal, Depends(require("admin"))]
RosterImport = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "vendor", "integration"))]
RosterExport = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "analyst", "vendor"))]

CampaignsRead = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "analyst"))]
CampaignsManage = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS))]

TicketsRead = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "analyst", "contributor"))]
TicketsWrite = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "contributor"))]
TicketsManage = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS))]
TicketsReport = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "analyst"))]

AnnouncementsRead = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "analyst"))]
AnnouncementsManage = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS))]
FeedRead = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "analyst", "vendor", "contributor"))]

WellnessPolicyRead = Annotated[Principal, Depends(require(*OPERATIONS_STAFF, "vendor"))]
WellnessPolicyManage = Annotated[Principal, Depends(require("admin", "ops"))]
CheckInsRead = Annotated[Principal, Depends(require(*CONTRIBUTOR_MANAGERS, "contributor"))]
# The board says who is near a cap, on a break or asked for support (states, never a check-in's words):
# the staff who read people's wellness, and a vendor for its own people (the events tell it the same).
WellnessBoardRead = Annotated[Principal, Depends(require(*OPERATIONS_STAFF, "vendor"))]

# Shift notes are the staff's own handover: never shown to contributors or vendors.
ShiftNotesRead = Annotated[Principal, Depends(require(*OPERATIONS_STAFF))]
ShiftNotesWrite = Annotated[Principal, Depends(require(*SHIFT_NOTE_WRITERS))]


async def _settings(request: Request) -> ContributorsSettings:
    return request.app.state.settings


SettingsDep = Annotated[ContributorsSettings, Depends(_settings)]


def contributor_for(access: Any, *, write: bool = False) -> Any:
    """`Annotated[Contributor, …]`: the path's contributor, loaded within the caller's scope or 404.

    `write` loads it in the request's write transaction, locked, so concurrent changes queue up.
    """
    if write:

        async def load_for_write(
            contributor_id: PathId, principal: access, session: SessionDep
        ) -> Contributor:
            return await contributor_service.get_contributor(
                session=session, principal=principal, contributor_id=contributor_id, for_update=True
            )

        return Annotated[Contributor, Depends(load_for_write)]

    async def load(contributor_id: PathId, principal: access, session: ReadSessionDep) -> Contributor:
        return await contributor_service.get_contributor(
            session=session, principal=principal, contributor_id=contributor_id
        )

    return Annotated[Contributor, Depends(load)]


def ticket_for(access: Any, *, write: bool = False) -> Any:
    """`Annotated[Ticket, …]`: the path's ticket within the caller's scope (a contributor's own) or 404."""
    if write:

        async def load_for_write(ticket_id: PathId, principal: access, session: SessionDep) -> Ticket:
            return await ticket_service.get_ticket(
                session=session, principal=principal, ticket_id=ticket_id, for_update=True
            )

        return Annotated[Ticket, Depends(load_for_write)]

    async def load(ticket_id: PathId, principal: access, session: ReadSessionDep) -> Ticket:
        return await ticket_service.get_ticket(session=session, principal=principal, ticket_id=ticket_id)

    return Annotated[Ticket, Depends(load)]
