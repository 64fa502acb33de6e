"""HTTP for /api/v1/api-keys: machine credentials for integrations (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from services.gateway.deps import AdminOnly
from services.gateway.schemas.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyPage, ApiKeyRead
from services.gateway.service import api_keys as service
from shared.db import ReadSessionDep, SessionDep
from shared.pagination import PageParams, page_params
from shared.types import PathId

router = APIRouter(prefix="/api/v1/api-keys", tags=["api keys"])


@router.post("", status_code=201, response_model=ApiKeyCreated)
async def create_api_key(data: ApiKeyCreate, session: SessionDep, admin: AdminOnly):
    key, secret = await service.create_api_key(session=session, principal=admin, data=data)
    return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), key=secret)


@router.get("", response_model=ApiKeyPage)
async def list_api_keys(
    session: ReadSessionDep, _admin: AdminOnly, page: Annotated[PageParams, Depends(page_params)]
):
    items, next_cursor = await service.list_api_keys(session=session, page=page)
    return ApiKeyPage(items=items, next_cursor=next_cursor)


@router.delete("/{key_id}", response_model=ApiKeyRead)
async def revoke_api_key(key_id: PathId, session: SessionDep, admin: AdminOnly):
    return await service.revoke_api_key(session=session, principal=admin, key_id=key_id)
