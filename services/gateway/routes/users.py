"""HTTP for /api/v1/users (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.gateway.deps import AdminOnly
from services.gateway.schemas.users import UserCreate, UserPage, UserRead, UserUpdate
from services.gateway.service import users as service
from shared.db import ReadSessionDep, SessionDep
from shared.pagination import PageParams, page_params
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
