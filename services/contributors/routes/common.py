"""Dependencies the route modules share: settings, and load-or-404 of scoped objects."""

from typing import Annotated, Any

from fastapi import Depends, Request

from services.contributors.models import Contributor, Ticket
from services.contributors.service import contributors as contributor_service
from services.contributors.service import tickets as ticket_service
from services.contributors.settings import ContributorsSettings
from shared.db import ReadSessionDep, SessionDep
from shared.types import PathId


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
                session, principal=principal, contributor_id=contributor_id, for_update=True
            )

        return Annotated[Contributor, Depends(load_for_write)]

    async def load(contributor_id: PathId, principal: access, session: ReadSessionDep) -> Contributor:
        return await contributor_service.get_contributor(
            session, principal=principal, contributor_id=contributor_id
        )

    return Annotated[Contributor, Depends(load)]


def ticket_for(access: Any, *, write: bool = False) -> Any:
    """`Annotated[Ticket, …]`: the path's ticket within the caller's scope (a contributor's own) or 404."""
    if write:

        async def load_for_write(ticket_id: PathId, principal: access, session: SessionDep) -> Ticket:
            return await ticket_service.get_ticket(
                session, principal=principal, ticket_id=ticket_id, for_update=True
            )

        return Annotated[Ticket, Depends(load_for_write)]

    async def load(ticket_id: PathId, principal: access, session: ReadSessionDep) -> Ticket:
        return await ticket_service.get_ticket(session, principal=principal, ticket_id=ticket_id)

    return Annotated[Ticket, Depends(load)]
