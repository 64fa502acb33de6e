"""People: contributor search (server-side filter, sort and cursor pages), a contributor's profile
(lifecycle history, onboarding checklist, qualifications and wellness) and the wellness board."""

from fastapi import Request

from services.console.deps import PeopleArea, RecruitmentArea, SettingsDep
from services.console.routes.pages import ListFile, console_router, list_file, passed_through, render
from services.console.rules.charts import funnel_chart
from services.console.rules.tables import chosen, table_links
from services.console.service import people as service
from shared.types import PathId

router = console_router(prefix="/people")

STATUSES = ("applied", "screening", "onboarding", "active", "paused", "suspended", "rejected", "offboarded")
SORTS = ("full_name", "email", "status", "created_at", "id")


@router.get("")
async def people(
    request: Request,
    console: PeopleArea,
    settings: SettingsDep,
    q: str = "",
    status: str = "",
    sort: str = "full_name",
    cursor: str | None = None,
):
    params = {
        "q": q.strip()[:200],
        "status": chosen(status, STATUSES, ""),
        "sort": chosen(sort, [*SORTS, *(f"-{s}" for s in SORTS)], "full_name"),
    }
    page = await service.search_contributors(
        gateway=console.gateway, cursor=cursor, limit=settings.page_size, **params
    )
    return render(
        request,
        console,
        "people.html",
        active="people",
        people=page["items"],
        params=params,
        statuses=STATUSES,
        **table_links(
            "/people",
            params,
            cursor=cursor,
            next_cursor=page.get("next_cursor"),
            download="/people/download",
            sort=params["sort"],
        ),
    )


@router.get("/download.{format}")
async def people_download(
    format: ListFile, console: PeopleArea, q: str = "", status: str = "", sort: str = ""
):
    """Every contributor the search matches, with every field of the API's list, as a file."""
    return await list_file(
        console,
        "/contributors",
        format,
        q=q.strip()[:200],
        status=chosen(status, STATUSES, ""),
        sort=chosen(sort, [*SORTS, *(f"-{s}" for s in SORTS)], "full_name"),
    )


@router.get("/export.csv")
async def people_export(console: PeopleArea, q: str = "", status: str = ""):
    return passed_through(
        await service.roster_export(
            gateway=console.gateway, q=q.strip()[:200], status=chosen(status, STATUSES, "")
        )
    )


@router.get("/funnel")
async def funnel(request: Request, console: RecruitmentArea, group_by: str = "campaign"):
    group_by = chosen(group_by, ("campaign", "channel"), "campaign")
    report = await service.recruitment_funnel(gateway=console.gateway, group_by=group_by)
    return render(
        request,
        console,
        "funnel.html",
        active="people",
        report=report,
        group_by=group_by,
        chart=funnel_chart(report["rows"], group_by=group_by),
    )


WELLNESS_STATES = ("near_cap", "on_break", "support_requested")
WELLNESS_SORTS = ("cap_share", "break_ends_at", "support_requested_at", "last_exposure_at", "full_name")


@router.get("/wellness")
async def wellness_board(
    request: Request,
    console: PeopleArea,
    settings: SettingsDep,
    state: str = "",
    vendor_id: str = "",
    sort: str = "-cap_share",
    cursor: str | None = None,
):
    """Who is near a daily cap, on a required break or asked for support, filtered and sorted by the API."""
    params = {
        "state": chosen(state, WELLNESS_STATES, ""),
        "vendor_id": vendor_id if vendor_id.isdigit() else "",
        "sort": chosen(sort, [*WELLNESS_SORTS, *(f"-{s}" for s in WELLNESS_SORTS)], "-cap_share"),
    }
    board = await service.wellness_board(
        gateway=console.gateway, cursor=cursor, limit=settings.page_size, **params
    )
    return render(
        request,
        console,
        "wellness.html",
        active="people",
        board=board["items"],
        near_cap_share=board.get("near_cap_share"),
        params=params,
        states=WELLNESS_STATES,
        **table_links(
            "/people/wellness",
            params,
            cursor=cursor,
            next_cursor=board.get("next_cursor"),
            download="/people/wellness/download",
            sort=params["sort"],
        ),
    )


@router.get("/wellness/download.{format}")
async def wellness_board_download(
    format: ListFile, console: PeopleArea, state: str = "", vendor_id: str = "", sort: str = ""
):
    """Everyone on the board the filters match, with every field of the API's list, as a file."""
    return await list_file(
        console,
        "/wellness/board",
        format,
        state=chosen(state, WELLNESS_STATES, ""),
        vendor_id=vendor_id if vendor_id.isdigit() else "",
        sort=chosen(sort, [*WELLNESS_SORTS, *(f"-{s}" for s in WELLNESS_SORTS)], "-cap_share"),
    )


@router.get("/{contributor_id}")
async def person(request: Request, contributor_id: PathId, console: PeopleArea):
    profile = await service.contributor_profile(gateway=console.gateway, contributor_id=contributor_id)
    return render(request, console, "person.html", active="people", **profile)
