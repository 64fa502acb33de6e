"""HTTP for /api/v1/projects/{id}/quality-rules: the rules, their firings, and an evaluation on demand."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from services.tasks.deps import ProjectsManage, ProjectsRead
from services.tasks.schemas.quality_rules import (
    QualityEvaluationRead,
    QualityRuleCreate,
    QualityRuleFiringRead,
    QualityRuleRead,
)
from services.tasks.service import quality_rules as service
from shared.db import ReadSessionDep, SessionDep, utcnow
from shared.pagination import KeysetCursor, Page, PageLimit, PageParams, page_of, page_params
from shared.types import PathId

router = APIRouter(prefix="/api/v1/projects/{project_id}/quality-rules", tags=["quality rules"])


@router.post("", status_code=201, response_model=QualityRuleRead)
async def create_rule(
    project_id: PathId, data: QualityRuleCreate, session: SessionDep, principal: ProjectsManage
):
    """When the metric crosses the threshold, the action applies (evaluated in the background)."""
    return await service.create_rule(session=session, principal=principal, project_id=project_id, data=data)


@router.get("", response_model=Page[QualityRuleRead])
async def list_rules(
    project_id: PathId,
    session: ReadSessionDep,
    _principal: ProjectsRead,
    page: Annotated[PageParams, Depends(page_params)],
):
    """The rules in force, oldest first (a deleted rule is gone from here; its firings still name it)."""
    rows = await service.list_rules(
        session=session, project_id=project_id, limit=page.limit, after_id=page.after_id
    )
    items, next_cursor = page_of(rows, limit=page.limit)
    return Page[QualityRuleRead](items=items, next_cursor=next_cursor)


@router.delete("/{rule_id}", status_code=204)
async def delete_rule(project_id: PathId, rule_id: PathId, session: SessionDep, _principal: ProjectsManage):
    await service.delete_rule(session=session, project_id=project_id, rule_id=rule_id)
    return Response(status_code=204)


@router.get("/firings", response_model=Page[QualityRuleFiringRead])
async def list_firings(
    project_id: PathId,
    session: ReadSessionDep,
    principal: ProjectsRead,
    sort: Annotated[Literal["id", "-id"], Query(description="-id: the latest first")] = "id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    """Every firing with the metric value, the threshold and the evidence it acted on, oldest first."""
    items, next_cursor = await service.list_firings(
        session=session, principal=principal, project_id=project_id, sort=sort, cursor=cursor, limit=limit
    )
    return Page[QualityRuleFiringRead](items=items, next_cursor=next_cursor)


@router.post("/evaluate", response_model=QualityEvaluationRead)
async def evaluate_now(project_id: PathId, session: SessionDep, _principal: ProjectsManage):
    """Run the evaluation the sweeper runs, now, and return what fired."""
    firings = await service.evaluate_project(session=session, project_id=project_id, now=utcnow())
    return QualityEvaluationRead(firings=firings)
