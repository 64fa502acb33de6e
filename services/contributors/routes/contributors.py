"""HTTP for /api/v1/contributors: parse, call the service, return the read schema."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.contributors import repository, service
from services.contributors.auth import ContributorsManage, ContributorsRead
from services.contributors.schemas import ContributorCreate, ContributorPage, ContributorRead
from shared.db import ReadSessionDep, SessionDep
from shared.pagination import PageParams, page_of, page_params

router = APIRouter(prefix="/api/v1/contributors", tags=["contributors"])


@router.post("", status_code=201, response_model=ContributorRead)
async def create_contributor(data: ContributorCreate, session: SessionDep, principal: ContributorsManage):
    return await service.register_contributor(session, principal=principal, data=data)


@router.get("/{contributor_id}", response_model=ContributorRead)
async def read_contributor(contributor_id: int, session: ReadSessionDep, principal: ContributorsRead):
    return await service.get_contributor(session, principal=principal, contributor_id=contributor_id)


@router.get("", response_model=ContributorPage)
async def list_contributors(
    session: ReadSessionDep,
    principal: ContributorsRead,
    page: Annotated[PageParams, Depends(page_params)],
    status: Annotated[str | None, Query(max_length=20)] = None,
):
    rows = await repository.list_readable(
        session, principal=principal, limit=page.limit, after_id=page.after_id, status=status
    )
    items, next_cursor = page_of(rows, limit=page.limit)
    return ContributorPage(items=items, next_cursor=next_cursor)
