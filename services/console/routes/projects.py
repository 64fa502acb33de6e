"""Projects: the list, one project's progress, throughput, on-time rate, quality, forecast against its
deadline as a chart and its queues with their first grants, and a queue's grants page by page."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse

from services.console.deps import ProjectsArea, SettingsDep
from services.console.routes.pages import ListFile, console_router, list_file, passed_through, render
from services.console.rules.charts import forecast_chart
from services.console.rules.display import parse_time, utc_from_local
from services.console.rules.grants import (
    GRANT_STATUSES,
    grant_filters,
    grant_query,
    grant_state,
    grants_page,
    return_to,
)
from services.console.rules.imports import import_content_type
from services.console.rules.tables import chosen, page_link, table_links
from services.console.schemas.forms import GrantForm, RevokeForm
from services.console.service import projects as service
from services.console.service.gateway import GatewayError
from shared.types import PathId

router = console_router(prefix="/projects")

EXPORT_FORMATS = ("csv", "xlsx", "jsonl", "json", "label-studio")


STATUSES = ("draft", "active", "paused", "completed", "archived")
SORTS = ("deadline", "name", "created_at", "id")


def _project_filters(q: str, status: str, sort: str) -> dict[str, str]:
    """The list as the viewer filtered and sorted it; soonest deadline first unless asked otherwise."""
    return {
        "q": q.strip()[:200],
        "status": chosen(status, STATUSES, ""),
        "sort": chosen(sort, [*SORTS, *(f"-{s}" for s in SORTS)], "deadline"),
    }


@router.get("")
async def projects(
    request: Request,
    console: ProjectsArea,
    settings: SettingsDep,
    q: str = "",
    status: str = "",
    sort: str = "deadline",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
):
    params = _project_filters(q, status, sort)
    page = await service.list_projects(
        gateway=console.gateway, cursor=cursor, limit=settings.page_size, **params
    )
    return render(
        request,
        console,
        "projects.html",
        active="projects",
        projects=page["items"],
        params=params,
        statuses=STATUSES,
        **table_links(
            "/projects",
            params,
            cursor=cursor,
            next_cursor=page.get("next_cursor"),
            download="/projects/download",
            sort=params["sort"],
        ),
    )


@router.get("/download.{format}")
async def projects_download(
    format: ListFile, console: ProjectsArea, q: str = "", status: str = "", sort: str = ""
):
    """Every project the filters match, in the page's order, as a file."""
    return await list_file(console, "/projects", format, **_project_filters(q, status, sort))


@router.get("/{project_id}")
async def project(
    request: Request,
    project_id: PathId,
    console: ProjectsArea,
    settings: SettingsDep,
    breached: str = "",
    at_risk_cursor: Annotated[str | None, Query(max_length=200)] = None,
    rules_cursor: Annotated[str | None, Query(max_length=200)] = None,
):
    overview = await service.project_overview(
        gateway=console.gateway, project_id=project_id, rules_cursor=rules_cursor, limit=settings.page_size
    )
    at_risk_params = {"breached": "1" if breached == "1" else ""}
    at_risk = await service.at_risk_tasks(
        gateway=console.gateway,
        project_id=project_id,
        include_breached=bool(at_risk_params["breached"]),
        cursor=at_risk_cursor,
        limit=settings.page_size,
    )
    here = f"/projects/{project_id}"
    shown = {**at_risk_params, "at_risk_cursor": at_risk_cursor, "rules_cursor": rules_cursor}
    stats = overview["stats"]
    progress = stats.get("progress") or {}
    done = max(int(progress.get("units_submitted") or 0) - int(progress.get("rejected") or 0), 0)
    chart = forecast_chart(
        now=datetime.now(UTC),
        done=done,
        total=int(progress.get("units_total") or 0),
        per_hour=stats.get("throughput_per_hour"),
        deadline=parse_time(
            (stats.get("forecast") or {}).get("deadline") or overview["project"].get("deadline")
        ),
        zone=console.zone,
    )
    return render(
        request,
        console,
        "project.html",
        active="projects",
        chart=chart,
        formats=EXPORT_FORMATS,
        at_risk=at_risk["items"],
        at_risk_breached=bool(at_risk_params["breached"]),
        # Each pager moves its own cursor and keeps the other's: paging the rules leaves the at-risk
        # tasks where they were, and the other way round.
        at_risk_toggle=page_link(
            here, shown, breached="" if at_risk_params["breached"] else "1", at_risk_cursor=None
        )
        + "#at-risk",
        at_risk_next=page_link(here, shown, at_risk_cursor=at_risk["next_cursor"]) + "#at-risk"
        if at_risk.get("next_cursor")
        else None,
        at_risk_first=page_link(here, shown, at_risk_cursor=None) + "#at-risk" if at_risk_cursor else None,
        at_risk_download=lambda format: page_link(f"{here}/at-risk-tasks/download.{format}", at_risk_params),
        firings_download=lambda format: f"{here}/firings/download.{format}",
        rules_next=page_link(here, shown, rules_cursor=overview["rules_next_cursor"]) + "#quality-rules"
        if overview["rules_next_cursor"]
        else None,
        rules_first=page_link(here, shown, rules_cursor=None) + "#quality-rules" if rules_cursor else None,
        grants_page=lambda queue_id: grants_page(project_id, queue_id),
        **overview,
    )


@router.get("/{project_id}/firings/download.{format}")
async def firings_download(project_id: PathId, format: ListFile, console: ProjectsArea):
    """Every firing of the project's quality rules, the latest first, as a file."""
    return await list_file(console, f"/projects/{project_id}/quality-rules/firings", format, sort="-id")


@router.get("/{project_id}/at-risk-tasks/download.{format}")
async def at_risk_download(project_id: PathId, format: ListFile, console: ProjectsArea, breached: str = ""):
    """The project's at-risk tasks (and past due ones, as the page shows them) as a file."""
    return await list_file(
        console,
        f"/projects/{project_id}/at-risk-tasks",
        format,
        include_breached="true" if breached == "1" else None,
    )


@router.post("/{project_id}/tasks")
async def import_tasks(
    request: Request,
    project_id: PathId,
    console: ProjectsArea,
    file: Annotated[UploadFile, File()],
    batch_name: Annotated[str, Form(max_length=200)] = "",
):
    """Task import by file upload (CSV, JSON, JSONL or Label Studio tasks), answered with the API's counts
    and the rows it refused."""
    content_type = import_content_type(file.filename)
    if content_type is None:
        raise GatewayError(422, "the file must be .csv, .json, .jsonl or .ndjson", [{"field": "file"}])
    result = await service.import_tasks(
        gateway=console.gateway,
        project_id=project_id,
        content=await file.read(),
        content_type=content_type,
        batch_name=batch_name.strip() or None,
    )
    return render(
        request, console, "import_result.html", active="projects", project_id=project_id, result=result
    )


@router.get("/{project_id}/export")
async def project_export(project_id: PathId, console: ProjectsArea, format: str = "csv"):
    """The API's export streamed through: tasks, answers and final labels."""
    format = chosen(format, EXPORT_FORMATS, "csv")
    return passed_through(
        await service.project_export(gateway=console.gateway, project_id=project_id, format=format)
    )


@router.get("/{project_id}/queues/{queue_id}/permissions")
async def queue_grants(
    request: Request,
    project_id: PathId,
    queue_id: PathId,
    console: ProjectsArea,
    settings: SettingsDep,
    contributor_id: str = "",
    status: str = "live",
    sort: str = "id",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
):
    """Every grant of a queue, a page at a time, as given or by expiry: one contributor's only, or ended
    ones too, on request."""
    params = grant_filters(contributor_id=contributor_id, status=status, sort=sort)
    here = grants_page(project_id, queue_id)
    listed = await service.queue_grants(
        gateway=console.gateway,
        project_id=project_id,
        queue_id=queue_id,
        query=grant_query(params),
        cursor=cursor,
        limit=settings.page_size,
    )
    now = datetime.now(UTC)
    return render(
        request,
        console,
        "queue_grants.html",
        active="projects",
        params=params,
        statuses=GRANT_STATUSES,
        state=lambda grant: grant_state(grant, now=now),
        back=page_link(here, params, cursor=cursor),
        **table_links(
            here,
            params,
            cursor=cursor,
            next_cursor=listed["next_cursor"],
            download=f"{here}/download",
            sort=params["sort"],
        ),
        **listed,
    )


@router.get("/{project_id}/queues/{queue_id}/permissions/download.{format}")
async def queue_grants_download(
    project_id: PathId,
    queue_id: PathId,
    format: ListFile,
    console: ProjectsArea,
    contributor_id: str = "",
    status: str = "live",
    sort: str = "id",
):
    """Every grant of the queue the page's filters match, in its order, as a file."""
    params = grant_filters(contributor_id=contributor_id, status=status, sort=sort)
    return await list_file(console, f"/queues/{queue_id}/permissions", format, **grant_query(params))


@router.post("/{project_id}/queues/{queue_id}/permissions")
async def grant(
    project_id: PathId, queue_id: PathId, console: ProjectsArea, form: Annotated[GrantForm, Form()]
):
    await service.grant(
        gateway=console.gateway,
        queue_id=queue_id,
        grantee=form.grantee,
        grantee_id=form.grantee_id,
        role=form.role,
        expires_at=utc_from_local(form.expires_local, console.zone),
    )
    return RedirectResponse(return_to(form.back, project_id=project_id, queue_id=queue_id), status_code=303)


@router.post("/{project_id}/queues/{queue_id}/permissions/{permission_id}/revoke")
async def revoke(
    project_id: PathId,
    queue_id: PathId,
    permission_id: PathId,
    console: ProjectsArea,
    form: Annotated[RevokeForm, Form()],
):
    await service.revoke(
        gateway=console.gateway, queue_id=queue_id, permission_id=permission_id, reason=form.reason
    )
    return RedirectResponse(return_to(form.back, project_id=project_id, queue_id=queue_id), status_code=303)


@router.get("/{project_id}/queues/{queue_id}/eligibility")
async def eligibility(
    request: Request,
    project_id: PathId,
    queue_id: PathId,
    console: ProjectsArea,
    contributor_id: Annotated[int, Query(ge=1)],
):
    """Why a contributor gets no work here: htmx puts the answer under the form, a plain GET gets a page."""
    answer = await service.eligibility(
        gateway=console.gateway, queue_id=queue_id, contributor_id=contributor_id
    )
    template = "_eligibility.html" if request.headers.get("HX-Request") else "eligibility.html"
    return render(request, console, template, active="projects", answer=answer, project_id=project_id)
