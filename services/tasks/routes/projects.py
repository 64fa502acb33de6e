"""HTTP for /api/v1/projects: lifecycle, import, queues, suspensions, stats, results, export, aggregate."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from services.tasks.deps import BudgetControl, GuidelinesRead, ProjectsManage, ProjectsRead
from services.tasks.schemas.projects import (
    GuidelineCreate,
    GuidelineRead,
    GuidelineVersionRead,
    ProjectCreate,
    ProjectRead,
    ProjectSort,
    ProjectStatus,
    ProjectUpdate,
    TransitionCreate,
    VendorSuspensionCreate,
    VendorSuspensionRead,
)
from services.tasks.schemas.queues import PermissionAuditRead, QueueRead
from services.tasks.schemas.stats import AtRiskTaskPage, Manpower, ProjectStatsRead
from services.tasks.schemas.tasks import AggregateCreate, AggregateRead, BatchRead, ImportResult, ResultRead
from services.tasks.service import exports, forecast, stats
from services.tasks.service import kpis as kpi_service
from services.tasks.service import projects as service
from shared.db import ReadSessionDep, SessionDep
from shared.etag import IfMatchHeader, check_if_match, set_etag
from shared.openapi import REF_PREFIX
from shared.pagination import (
    KeysetCursor,
    Page,
    PageLimit,
    PageParams,
    encode_cursor,
    page_of,
    page_params,
)
from shared.types import PathId

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])


@router.post("", status_code=201, response_model=ProjectRead)
async def create_project(
    data: ProjectCreate, session: SessionDep, _principal: ProjectsManage, response: Response
):
    project = await service.create_project(session=session, data=data)
    set_etag(response, project.id, project.version)
    return project


@router.get("", response_model=Page[ProjectRead])
async def list_projects(
    session: ReadSessionDep,
    principal: ProjectsRead,
    status: Annotated[
        list[ProjectStatus] | None, Query(description="any of them; repeat for several")
    ] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="in the name, any case")] = None,
    sort: Annotated[ProjectSort, Query(description="deadline: projects without one last")] = "id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    items, next_cursor = await service.list_projects(
        session=session, principal=principal, statuses=status or [], name_contains=q, sort=sort,
        cursor=cursor, limit=limit,
    )  # fmt: skip
    return Page[ProjectRead](items=items, next_cursor=next_cursor)


@router.get("/{project_id}", response_model=ProjectRead)
async def read_project(
    project_id: PathId, session: ReadSessionDep, _principal: ProjectsRead, response: Response
):
    project = await service.get_project(session=session, project_id=project_id)
    set_etag(response, project.id, project.version)
    return project


@router.patch("/{project_id}", response_model=ProjectRead)
async def update_project(
    project_id: PathId,
    data: ProjectUpdate,
    session: SessionDep,
    _principal: ProjectsManage,
    response: Response,
    if_match: IfMatchHeader = None,
):
    """Change settings; send If-Match with the ETag read (428 without it, 412 when someone wrote first)."""
    project = await service.get_project(session=session, project_id=project_id, lock=True)
    check_if_match(if_match, resource_id=project.id, version=project.version)
    project = await service.update_project(session=session, project=project, data=data)
    set_etag(response, project.id, project.version)
    return project


@router.post("/{project_id}/transitions", response_model=ProjectRead)
async def transition_project(
    project_id: PathId,
    data: TransitionCreate,
    session: SessionDep,
    principal: ProjectsManage,
    response: Response,
):
    project = await service.transition_project(
        session=session, principal=principal, project_id=project_id, to=data.to
    )
    set_etag(response, project.id, project.version)
    return project


@router.post(
    "/{project_id}/tasks",
    status_code=201,
    response_model=ImportResult,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"$ref": REF_PREFIX + "TaskRow"}}},
                "application/jsonl": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            }
        }
    },
)
async def import_tasks(
    project_id: PathId,
    request: Request,
    session: SessionDep,
    _principal: ProjectsManage,
    batch_name: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    annotations: Annotated[Literal["gold", "prelabels"], Query()] = "prelabels",
):
    """The rows land as one batch (named by `batch_name`, optional) that the tasks carry. Label Studio
    tasks keep their `id` as the external id; their `annotations` become the gold answer
    (`annotations=gold`: the ground-truth one, else the first) or pre-labels (the default), their
    `predictions` pre-labels. Errors name the file's own rows; unused keys come back as warnings."""
    body = await request.body()
    return await service.import_tasks(
        session=session,
        project_id=project_id,
        body=body,
        content_type=request.headers.get("content-type", ""),
        batch_name=batch_name,
        annotations_as=annotations,
    )


@router.get("/{project_id}/batches", response_model=Page[BatchRead])
async def list_batches(
    project_id: PathId,
    session: ReadSessionDep,
    _principal: ProjectsRead,
    page: Annotated[PageParams, Depends(page_params)],
):
    rows = await service.list_batches(
        session=session, project_id=project_id, limit=page.limit, after_id=page.after_id
    )
    items, next_cursor = page_of(rows, limit=page.limit, id_of=lambda b: b["id"])
    return Page[BatchRead](items=items, next_cursor=next_cursor)


@router.post("/{project_id}/guidelines", status_code=201, response_model=GuidelineRead)
async def publish_guidelines(
    project_id: PathId, data: GuidelineCreate, session: SessionDep, principal: ProjectsManage
):
    """Markdown guidelines as a new version; earlier versions stay readable."""
    return await service.publish_guidelines(
        session=session, principal=principal, project_id=project_id, body=data.body
    )


@router.get("/{project_id}/guidelines", response_model=GuidelineRead)
async def read_guidelines(project_id: PathId, session: ReadSessionDep, principal: GuidelinesRead):
    """The latest version; a contributor reads it while holding a live grant on one of the project's queues."""
    return await service.latest_guidelines(session=session, principal=principal, project_id=project_id)


@router.get("/{project_id}/guidelines/versions", response_model=Page[GuidelineVersionRead])
async def list_guideline_versions(
    project_id: PathId,
    session: ReadSessionDep,
    principal: GuidelinesRead,
    page: Annotated[PageParams, Depends(page_params)],
):
    rows = await service.guideline_versions(
        session=session,
        principal=principal,
        project_id=project_id,
        limit=page.limit,
        after_version=page.after_id,
    )
    items, next_cursor = page_of(rows, limit=page.limit, id_of=lambda g: g.version)
    return Page[GuidelineVersionRead](items=items, next_cursor=next_cursor)


@router.get("/{project_id}/guidelines/versions/{version}", response_model=GuidelineRead)
async def read_guidelines_version(
    project_id: PathId, version: PathId, session: ReadSessionDep, principal: GuidelinesRead
):
    return await service.guidelines_version(
        session=session, principal=principal, project_id=project_id, version=version
    )


@router.get("/{project_id}/queues", response_model=Page[QueueRead])
async def list_queues(
    project_id: PathId,
    session: ReadSessionDep,
    _principal: ProjectsRead,
    page: Annotated[PageParams, Depends(page_params)],
):
    rows = await service.list_queues(
        session=session, project_id=project_id, limit=page.limit, after_id=page.after_id
    )
    items, next_cursor = page_of(rows, limit=page.limit)
    return Page[QueueRead](items=items, next_cursor=next_cursor)


@router.get("/{project_id}/permission-audit", response_model=Page[PermissionAuditRead])
async def read_permission_audit(
    project_id: PathId,
    session: ReadSessionDep,
    _principal: ProjectsManage,
    page: Annotated[PageParams, Depends(page_params)],
):
    """Every grant, revoke, expiry, suspension and restore on the project's queues, with who and why."""
    rows = await service.permission_audit(
        session=session, project_id=project_id, limit=page.limit, after_id=page.after_id
    )
    items, next_cursor = page_of(rows, limit=page.limit)
    return Page[PermissionAuditRead](items=items, next_cursor=next_cursor)


@router.post("/{project_id}/vendor-suspensions", status_code=201, response_model=VendorSuspensionRead)
async def suspend_vendor(
    project_id: PathId, data: VendorSuspensionCreate, session: SessionDep, principal: BudgetControl
):
    return await service.suspend_vendor(
        session=session,
        principal=principal,
        project_id=project_id,
        vendor_id=data.vendor_id,
        reason=data.reason,
    )


@router.delete("/{project_id}/vendor-suspensions/{vendor_id}", status_code=204)
async def restore_vendor(
    project_id: PathId, vendor_id: PathId, session: SessionDep, principal: BudgetControl
):
    await service.restore_vendor(
        session=session, principal=principal, project_id=project_id, vendor_id=vendor_id
    )
    return Response(status_code=204)


@router.get("/{project_id}/stats", response_model=ProjectStatsRead)
async def project_stats(project_id: PathId, session: ReadSessionDep, _principal: ProjectsRead):
    """Progress, forecasts and the project's KPIs (README "KPI glossary")."""
    return await stats.project_stats(session=session, project_id=project_id)


@router.get("/{project_id}/at-risk-tasks", response_model=AtRiskTaskPage)
async def project_at_risk_tasks(
    project_id: PathId,
    session: ReadSessionDep,
    _principal: ProjectsRead,
    include_breached: Annotated[
        bool,
        Query(description="also the open tasks already past their due time (stats' open_breached_tasks)"),
    ] = False,
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    """The open tasks stats count in `sla.at_risk_tasks` (not yet due, due within the last 20 % of the
    project's SLA turnaround), earliest due first; open tasks already past due (breached) only with
    `include_breached=true`, before them, as they are due earlier."""
    project = await service.get_project(session=session, project_id=project_id)
    return await kpi_service.at_risk_tasks(
        session, project=project, include_breached=include_breached, cursor=cursor, limit=limit
    )


@router.get("/{project_id}/forecast", response_model=Manpower)
async def project_forecast(
    project_id: PathId,
    session: ReadSessionDep,
    _principal: ProjectsRead,
    handling_seconds: Annotated[
        float | None, Query(gt=0, le=86_400, description="default: measured, else the project's planned")
    ] = None,
    review_seconds: Annotated[
        float | None, Query(gt=0, le=86_400, description="default: the handling time")
    ] = None,
    hours_per_day: Annotated[
        float | None, Query(gt=0, le=24, description="default: the project's planned, else 6")
    ] = None,
):
    """The manpower forecast per locale against the eligible pool, from the assumptions stated here, else
    measured, else the project's plan (README "Manpower forecast"). Stats carry the same, unstated."""
    return await forecast.forecast_of(
        session=session,
        project_id=project_id,
        handling_seconds=handling_seconds,
        review_seconds=review_seconds,
        hours_per_day=hours_per_day,
    )


@router.get("/{project_id}/results", response_model=Page[ResultRead])
async def project_results(
    project_id: PathId,
    session: ReadSessionDep,
    _principal: ProjectsRead,
    page: Annotated[PageParams, Depends(page_params)],
):
    """Tasks in id order with their answers and final label, a page at a time (`next_cursor`)."""
    items, last_id = await exports.results_page(
        session=session, project_id=project_id, limit=page.limit, after_id=page.after_id
    )
    return {"items": items, "next_cursor": encode_cursor(last_id) if last_id is not None else None}


@router.get(
    "/{project_id}/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Every task of the project, streamed",
            "content": {
                **{
                    media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                    for media in exports.MEDIA_TYPES.values()
                },
                # json: the rows /results pages; label-studio: Label Studio tasks (data, meta, annotations).
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        }
    },
)
async def export_project(
    project_id: PathId,
    request: Request,
    session: ReadSessionDep,
    _principal: ProjectsRead,
    format: Annotated[Literal["json", "jsonl", "csv", "xlsx", "label-studio"], Query()] = "json",  # noqa: A002
):
    """The project's tasks, answers and final labels as JSON, JSONL, flat CSV, XLSX or Label Studio tasks
    (import them with the config of `/label-studio-config`)."""
    project = await exports.open_export(session=session, project_id=project_id)
    extension = {"label-studio": "json"}.get(format, format)
    return StreamingResponse(
        exports.export_stream(db=request.app.state.db, project=project, fmt=format),
        media_type=exports.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="project-{project.id}.{extension}"'},
    )


@router.get(
    "/{project_id}/label-studio-config",
    response_class=Response,
    responses={200: {"content": {"application/xml": {"schema": {"type": "string"}}}}},
)
async def label_studio_config(project_id: PathId, session: ReadSessionDep, _principal: ProjectsRead):
    """The Label Studio labeling config whose control and object names the label-studio export uses."""
    config = await exports.label_studio_config(session=session, project_id=project_id)
    return Response(content=config, media_type="application/xml")


@router.post("/{project_id}/aggregate", response_model=AggregateRead)
async def aggregate(
    project_id: PathId, data: AggregateCreate, session: SessionDep, _principal: ProjectsManage
):
    """Consensus labels (stored: the exports deliver them, with method and confidence)."""
    return await exports.aggregate(session=session, project_id=project_id, method=data.method)
