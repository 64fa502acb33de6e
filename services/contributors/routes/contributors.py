"""HTTP for /api/v1/contributors: profiles, the filtered list, CSV roster import/export, erasure and the
personal data export."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.contributors.deps import (
    ContributorsCreate,
    ContributorsEdit,
    ContributorsErase,
    ContributorsRead,
    PersonalDataExport,
    RosterExport,
    RosterImport,
    SettingsDep,
    contributor_for,
)
from services.contributors.repository.contributors import CONTRIBUTOR_KEYSET
from services.contributors.rules.access import actor_of
from services.contributors.schemas.common import Country, Status
from services.contributors.schemas.contributors import (
    ContributorAccessRead,
    ContributorCreate,
    ContributorFilters,
    ContributorPage,
    ContributorRead,
    ContributorSort,
    ContributorUpdate,
    ImportReport,
    PersonalDataRead,
)
from services.contributors.service import contributors as service
from services.contributors.service import erasure, personal_data, roster
from shared.db import ReadSessionDep, SessionDep, utcnow
from shared.etag import IfMatchHeader, check_if_match, set_etag
from shared.http import ServicesDep
from shared.languages import LanguageTag, Proficiency
from shared.pagination import KeysetCursor, PageLimit
from shared.types import Id, Timestamp
from shared.windows import check_open_window

router = APIRouter(prefix="/api/v1/contributors", tags=["contributors"])

ContributorToRead = contributor_for(ContributorsRead)
ContributorToEdit = contributor_for(ContributorsEdit, write=True)
ContributorToErase = contributor_for(ContributorsErase, write=True)
ContributorToExport = contributor_for(PersonalDataExport)


async def contributor_filters(
    status: Annotated[list[Status] | None, Query(description="repeat for several")] = None,
    vendor_id: Id | None = None,
    language: Annotated[
        LanguageTag | None, Query(description="BCP 47; `pt` matches every pt-*, `pt-BR` only itself")
    ] = None,
    min_proficiency: Proficiency | None = None,
    country: Country | None = None,
    skill: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    campaign_id: Id | None = None,
    created_since: Annotated[Timestamp | None, Query(description="inclusive")] = None,
    created_until: Annotated[Timestamp | None, Query(description="exclusive")] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="part of the name or email")
    ] = None,
    email: Annotated[
        str | None, Query(min_length=3, max_length=254, description="exact, any letter case")
    ] = None,
    include_erased: bool = False,
) -> ContributorFilters:
    check_open_window(created_since, created_until, field="created_since")
    return ContributorFilters(
        status=status or [],
        vendor_id=vendor_id,
        language=language,
        min_proficiency=min_proficiency,
        country=country,
        skill=skill,
        campaign_id=campaign_id,
        created_since=created_since,
        created_until=created_until,
        q=q,
        email=email,
        include_erased=include_erased,
    )


Filters = Annotated[ContributorFilters, Depends(contributor_filters)]


@router.post("", status_code=201, response_model=ContributorRead)
async def create_contributor(
    data: ContributorCreate,
    session: SessionDep,
    principal: ContributorsCreate,
    settings: SettingsDep,
    response: Response,
):
    contributor = await service.register_contributor(
        session=session, principal=principal, data=data, settings=settings
    )
    set_etag(response, contributor.id, contributor.version)
    response.headers["Location"] = f"/api/v1/contributors/{contributor.id}"
    return contributor


@router.get("", response_model=ContributorPage)
async def list_contributors(
    session: ReadSessionDep,
    principal: ContributorsRead,
    filters: Filters,
    sort: ContributorSort = "id",
    limit: PageLimit = 50,
    cursor: KeysetCursor = None,
):
    rows = await service.list_contributors(
        session=session, principal=principal, filters=filters, sort=sort, cursor=cursor, limit=limit
    )
    items, next_cursor = CONTRIBUTOR_KEYSET.page(rows, sort=sort, limit=limit)
    return ContributorPage(items=items, next_cursor=next_cursor)


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV roster"}},
)
async def export_contributors(session: ReadSessionDep, principal: RosterExport, filters: Filters) -> Response:
    """Every contributor matching the list filters, as CSV (the import's columns plus id, status, created_at)."""
    text = await roster.export_roster(session=session, principal=principal, filters=filters)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return Response(
        content=text.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="contributors-{stamp}.csv"'},
    )


@router.post(
    "/import",
    response_model=ImportReport,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "CSV with a header row: " + ", ".join(roster.COLUMNS),
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def import_contributors(
    request: Request,
    session: SessionDep,
    principal: RosterImport,
    settings: SettingsDep,
    dry_run: bool = False,
):
    """Create a contributor per valid row; rows with errors are reported (line, field) and skipped."""
    content = await request.body()
    return await roster.import_roster(
        session=session, principal=principal, content=content, dry_run=dry_run, settings=settings
    )


@router.get("/{contributor_id}/access", response_model=ContributorAccessRead)
async def contributor_access(contributor: ContributorToRead, services: ServicesDep):
    """Every labeling queue the contributor holds a grant on (directly, through its vendor or as crowd),
    with `eligible`, the `reason` `next` would give and every rule checked, as
    `GET /queues/{id}/eligibility` explains one queue."""
    return await service.access_of(services=services, contributor=contributor)


@router.get("/{contributor_id}", response_model=ContributorRead)
async def read_contributor(contributor: ContributorToRead, response: Response):
    set_etag(response, contributor.id, contributor.version)
    return contributor


@router.patch("/{contributor_id}", response_model=ContributorRead)
async def update_contributor(
    contributor: ContributorToEdit,
    data: ContributorUpdate,
    session: SessionDep,
    principal: ContributorsEdit,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatchHeader = None,
):
    """Change profile fields; needs If-Match with the ETag read (428 without, 412 when stale)."""
    check_if_match(if_match, resource_id=contributor.id, version=contributor.version)
    contributor = await service.update_contributor(
        session=session, principal=principal, contributor=contributor, data=data, settings=settings
    )
    set_etag(response, contributor.id, contributor.version)
    return contributor


@router.post("/{contributor_id}/erase", response_model=ContributorRead)
async def erase_contributor(
    contributor: ContributorToErase,
    session: SessionDep,
    principal: ContributorsErase,
    settings: SettingsDep,
    services: ServicesDep,
    response: Response,
):
    """Pseudonymise the person's data irreversibly (name, email, free text here and in partner
    communications), offboard it, emit contributor.erased."""
    contributor = await erasure.erase_contributor(
        session=session,
        services=services,
        contributor=contributor,
        actor=actor_of(principal),
        settings=settings,
    )
    set_etag(response, contributor.id, contributor.version)
    return contributor


@router.get("/{contributor_id}/personal-data", response_model=PersonalDataRead)
async def export_personal_data(
    contributor: ContributorToExport,
    session: ReadSessionDep,
    services: ServicesDep,
    _principal: PersonalDataExport,
):
    """Everything LabelOps holds about the person, gathered from every service as one JSON document (a
    data subject access request): rows by service and table, secrets left out."""
    return await personal_data.personal_data_export(
        session=session, services=services, contributor=contributor
    )
