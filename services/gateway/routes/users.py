"""HTTP for /api/v1/users (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from services.gateway import repository, service
from services.gateway.auth import AdminOnly
from services.gateway.schemas import UserCreate, UserPage, UserRead
from shared.db import ReadSessionDep, SessionDep
from shared.pagination import PageParams, page_of, page_params

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.post("", status_code=201, response_model=UserRead)
async def create_user(data: UserCreate, session: SessionDep, _admin: AdminOnly):
    return await service.create_user(session, data=data)


@router.get("", response_model=UserPage)
async def list_users(
    session: ReadSessionDep, _admin: AdminOnly, page: Annotated[PageParams, Depends(page_params)]
):
    rows = await repository.list_users(session, limit=page.limit, after_id=page.after_id)
    items, next_cursor = page_of(rows, limit=page.limit)
    return UserPage(items=items, next_cursor=next_cursor)
