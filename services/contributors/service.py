"""Rules of the contributors service."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors import repository
from services.contributors.events import publish_contributor_upserted
from services.contributors.models import Contributor
from services.contributors.schemas import ContributorCreate
from shared.auth import Principal
from shared.errors import Forbidden, NotFound


async def register_contributor(
    session: AsyncSession, *, principal: Principal, data: ContributorCreate
) -> Contributor:
    """A new contributor starts as `applied`; a vendor user can only register its own staff."""
    values = data.model_dump()
    if principal.has_any("vendor") and not principal.has_any("admin", "ops", "support"):
        if values["vendor_id"] not in (None, principal.vendor_id):
            raise Forbidden("vendor users can only register their own vendor's contributors")
        values["vendor_id"] = principal.vendor_id
    values["email"] = values["email"].lower()
    values["country"] = values["country"].upper()
    contributor = await repository.add(session, Contributor(**values))
    await publish_contributor_upserted(session, contributor)
    return contributor


async def get_contributor(session: AsyncSession, *, principal: Principal, contributor_id: int) -> Contributor:
    contributor = await repository.get_readable(session, principal=principal, contributor_id=contributor_id)
    if contributor is None:
        raise NotFound(f"contributor {contributor_id} not found")
    return contributor
