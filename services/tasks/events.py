"""What the tasks service receives (contributor events feed the eligibility read-model)."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks import repository
from services.tasks.models import ContributorProfile
from shared.db import utcnow
from shared.events import Event, EventHandler


async def apply_contributor_upserted(session: AsyncSession, event: Event) -> None:
    """Newer versions replace the profile; an older one arriving late (after a retry) is ignored."""
    data = event.data
    profile = await repository.get_profile(session, contributor_id=data["contributor_id"])
    if profile is not None and profile.version >= data["version"]:
        return
    profile = profile or ContributorProfile(
        contributor_id=data["contributor_id"], version=data["version"], status=""
    )
    profile.version = data["version"]
    profile.status = data["status"]
    profile.vendor_id = data.get("vendor_id")
    profile.languages = data.get("languages", [])
    profile.skills = data.get("skills", [])
    profile.updated_at = utcnow()
    await repository.save_profile(session, profile)


HANDLERS: dict[str, EventHandler] = {"contributor.upserted": apply_contributor_upserted}
