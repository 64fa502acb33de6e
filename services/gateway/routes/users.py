"""HTTP for /api/v1/users (admins only); for peers, /internal/users/{id} (who an assignee or a lead is) and
/internal/personal-data (the gateway's part of a DSAR export)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from services.gateway.deps import AdminOnly, StaffOnly
from services.gateway.schemas.users import (
    AgentList,
    AgentRead,
    UserCreate,
    UserPage,
    UserPseudonymise,
    UserRead,
    UserRef,
    UserUpdate,
)
from services.gateway.service import users as service
from shared.auth import ServiceCaller
from shared.db import ReadSessionDep, SessionDep
from shared.pagination import PageParams, page_params
from shared.privacy import personal_data_router
from shared.types import PathId

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.post("", status_code=201, response_model=UserRead)
async def create_user(request: Request, data: UserCreate, session: SessionDep, admin: AdminOnly):
    return await service.create_user(
        session=session, principal=admin, data=data, passwords=request.app.state.passwords
    )


@router.get("", response_model=UserPage)
async def list_users(
    session: ReadSessionDep, _admin: AdminOnly, page: Annotated[PageParams, Depends(page_params)]
):
    items, next_cursor = await service.list_users(session=session, page=page)
    return UserPage(items=items, next_cursor=next_cursor)


@router.get("/{user_id}", response_model=UserRead)
async def read_user(user_id: PathId, session: ReadSessionDep, _admin: AdminOnly):
    return await service.get_user(session=session, user_id=user_id)


@router.patch("/{user_id}", response_model=UserRead)
async def update_user(user_id: PathId, data: UserUpdate, session: SessionDep, admin: AdminOnly):
    return await service.update_user(session=session, principal=admin, user_id=user_id, data=data)


@router.post("/{user_id}/pseudonymise", response_model=UserRead)
async def pseudonymise_user(user_id: PathId, data: UserPseudonymise, session: SessionDep, admin: AdminOnly):
    """The email becomes a placeholder, the user is disabled and signed out; audited without the email."""
    return await service.pseudonymise_user(
        session=session, principal=admin, user_id=user_id, reason=data.reason
    )


@router.delete("/{user_id}", status_code=204)
async def delete_user(user_id: PathId, session: SessionDep, admin: AdminOnly):
    """Remove the user with its sessions (the last enabled admin cannot be removed: 409)."""
    await service.delete_user(session=session, principal=admin, user_id=user_id)
    return Response(status_code=204)


personal_data = personal_data_router(service.personal_data)


peers = APIRouter(prefix="/internal/users", tags=["internal"], include_in_schema=False)


@peers.get("/{user_id}", response_model=UserRef)
async def user_for_peer(user_id: PathId, session: ReadSessionDep, _caller: ServiceCaller):
    """Who a user is, for a service that names users (the contributors service's assignees and leads)."""
    return await service.user_for_peer(session=session, user_id=user_id)


agents = APIRouter(prefix="/api/v1/agents", tags=["users"])


@agents.get("", response_model=AgentList)
async def list_agents(session: ReadSessionDep, _staff: StaffOnly):
    """The support users a ticket can be assigned or escalated to (enabled admins, ops and support), by
    display name: what an assignee or lead picker shows. One page: a support team is tens of people."""
    rows = await service.list_agents(session=session)
    return AgentList(items=[AgentRead.model_validate(u) for u in rows])
