"""Projects: the list, and one project's progress, throughput, on-time rate, quality, forecast against its
deadline as a chart, and its queues with their grants."""

from datetime import UTC, datetime

from fastapi import Request

from services.console.deps import ProjectsArea, SettingsDep
from services.console.routes.pages import console_router, passed_through, render
from services.console.rules.charts import forecast_chart
from services.console.rules.display import parse_time
from services.console.rules.tables import chosen
from services.console.service import projects as service
from shared.types import PathId

router = console_router(prefix="/projects")

EXPORT_FORMATS = ("csv", "xlsx", "jsonl", "json", "label-studio")


@router.get("")
async def projects(
    request: Request, console: ProjectsArea, settings: SettingsDep, after_id: str | None = None
):
    cursor = after_id if after_id and after_id.isdigit() else None
    page = await service.list_projects(gateway=console.gateway, after_id=cursor, limit=settings.page_size)
    next_cursor = page.get("next_cursor")
    return render(
        request,
        console,
        "projects.html",
        active="projects",
        projects=page["items"],
        next_link=f"/projects?after_id={next_cursor}" if next_cursor else None,
        first_link="/projects" if cursor else None,
    )


@router.get("/{project_id}")
async def project(request: Request, project_id: PathId, console: ProjectsArea):
    overview = await service.project_overview(gateway=console.gateway, project_id=project_id)
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
        request, console, "project.html", active="projects", chart=chart, formats=EXPORT_FORMATS, **overview
    )


@router.get("/{project_id}/export")
async def project_export(project_id: PathId, console: ProjectsArea, format: str = "csv"):
    """The API's export streamed through: tasks, answers and final labels."""
    format = chosen(format, EXPORT_FORMATS, "csv")
    return passed_through(
        await service.project_export(gateway=console.gateway, project_id=project_id, format=format)
    )
