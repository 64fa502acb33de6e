"""Rules of contributor profiles: registration, reading, updating."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from typing_extensions import Unpack

from services.contributors.models import Contributor, StatusChange
from services.contributors.repository import campaigns as campaign_repository
from services.contributors.repository import contributors as repository
from services.contributors.repository import lifecycle as lifecycle_repository
from services.contributors.rules.access import actor_of, is_manager, vendor_scope
from services.contributors.schemas.contributors import (
    ContributorCreate,
    ContributorFilters,
    ContributorUpdate,
)
from services.contributors.service.publishing import eligibility_facts, record_change
from services.contributors.settings import ContributorsSettings
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, Unprocessable
from shared.http import ServiceClient
from shared.pagination import KeysetArgs

# What a contributor may change on its own profile; the rest is set by staff or its vendor.
SELF_EDITABLE = frozenset({"full_name", "country", "timezone", "languages"})


def field_error(field: str, detail: str) -> Unprocessable:
    return Unprocessable(
        f"invalid field(s): {field}",
        errors=[
            {"pointer": f"/{field}", "field": field, "in": "body", "detail": detail, "type": "value_error"}
        ],
    )


async def check_campaign(*, session: AsyncSession, campaign_id: int | None) -> None:
    if campaign_id is not None and await campaign_repository.get(session, campaign_id=campaign_id) is None:
        raise field_error("campaign_id", f"no campaign {campaign_id}")


def bound_vendor(principal: Principal, requested: int | None) -> int | None:
    """The vendor a new contributor belongs to: a vendor-bound caller can only register its own people."""
    if principal.has_any("vendor") and not is_manager(principal) and principal.vendor_id is None:
        raise Forbidden("your user is not linked to a vendor")
    scope = vendor_scope(principal)
    if scope is None:
        return requested
    if requested not in (None, scope):
        raise Forbidden("you can only register contributors of your own vendor")
    return scope


def new_contributor(values: dict[str, Any]) -> Contributor:
    values = {**values}
    values["email"] = values["email"].strip().lower()
    values["languages"] = [{"code": x["code"], "proficiency": x["proficiency"]} for x in values["languages"]]
    return Contributor(**values)


async def register_contributor(
    *, session: AsyncSession, principal: Principal, data: ContributorCreate, settings: ContributorsSettings
) -> Contributor:
    """A new contributor starts as `applied`, with the first line of its history."""
    values = data.model_dump()
    values["vendor_id"] = bound_vendor(principal, values["vendor_id"])
    await check_campaign(session=session, campaign_id=values["campaign_id"])
    contributor = await repository.add(session, new_contributor(values))
    await lifecycle_repository.add_status_change(
        session,
        StatusChange(
            contributor_id=contributor.id,
            from_status=None,
            to_status=contributor.status,
            actor=actor_of(principal),
            at=contributor.created_at,
        ),
    )
    await record_change(session=session, contributor=contributor, before=None, settings=settings)
    return contributor


async def list_contributors(
    *, session: AsyncSession, principal: Principal, filters: ContributorFilters, **page: Unpack[KeysetArgs]
) -> list[Contributor]:
    """The contributors the caller may read that match the filters, one page in the requested order."""
    return await repository.list_readable(session, principal=principal, filters=filters, **page)


async def get_contributor(
    *, session: AsyncSession, principal: Principal, contributor_id: int, for_update: bool = False
) -> Contributor:
    contributor = await repository.get_readable(
        session, principal=principal, contributor_id=contributor_id, for_update=for_update
    )
    if contributor is None:
        raise NotFound(f"contributor {contributor_id} not found")
    return contributor


def ensure_not_erased(contributor: Contributor) -> None:
    if contributor.erased_at is not None:
        raise Conflict(f"contributor {contributor.id} was erased; its record can no longer change")


async def update_contributor(
    *,
    session: AsyncSession,
    principal: Principal,
    contributor: Contributor,
    data: ContributorUpdate,
    settings: ContributorsSettings,
) -> Contributor:
    """Apply the fields sent; publishes `contributor.upserted` when eligibility facts change."""
    ensure_not_erased(contributor)
    changes = data.model_dump(exclude_unset=True)
    if principal.has_any("contributor") and not principal.has_any("vendor") and not is_manager(principal):
        refused = sorted(set(changes) - SELF_EDITABLE)
        if refused:
            raise Forbidden(f"a contributor cannot change: {', '.join(refused)}")
    if "vendor_id" in changes:
        scope = vendor_scope(principal)
        if scope is not None and changes["vendor_id"] != scope:
            raise Forbidden("you cannot move a contributor to another vendor")
    if "campaign_id" in changes:
        await check_campaign(session=session, campaign_id=changes["campaign_id"])
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
        if await repository.email_taken(session, email=changes["email"], except_id=contributor.id):
            raise Conflict(f"a contributor with email {changes['email']} already exists")
    if "languages" in changes:
        changes["languages"] = [
            {"code": x["code"], "proficiency": x["proficiency"]} for x in changes["languages"]
        ]
    changes = {k: v for k, v in changes.items() if getattr(contributor, k) != v}
    if not changes:
        return contributor
    before = await eligibility_facts(session=session, contributor=contributor, settings=settings)
    for name, value in changes.items():
        setattr(contributor, name, value)
    await record_change(session=session, contributor=contributor, before=before, settings=settings)
    if {"languages", "skills"} & set(changes):
        await repository.sync_search_index(session, contributor)
    return contributor


async def access_of(*, services: ServiceClient, contributor: Contributor) -> dict[str, Any]:
    """Every labeling queue the contributor holds a grant on and whether it gets work there now, and why:
    the tasks service answers from the rules `next` applies."""
    path = f"/api/v1/contributor-profiles/{contributor.id}/access"
    response = await services.request("tasks", "GET", path)
    if response.status_code != 200:
        raise ServiceUnavailable(
            f"the tasks service answered {response.status_code} to GET {path}", service="tasks"
        )
    return response.json()
