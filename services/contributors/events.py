"""What the contributors service publishes, and to whom."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor, event_tables
from shared.events import Publisher

ROUTES: dict[str, tuple[str, ...]] = {
    "contributor.upserted": ("tasks",),
}

publisher = Publisher(source="contributors", tables=event_tables, routes=ROUTES)


def eligibility_facts(contributor: Contributor) -> dict[str, Any]:
    """Exactly what assignment needs to decide eligibility, and the version that orders updates."""
    return {
        "contributor_id": contributor.id,
        "version": contributor.version,
        "status": contributor.status,
        "vendor_id": contributor.vendor_id,
        "languages": contributor.languages,
        "skills": contributor.skills,
    }


async def publish_contributor_upserted(session: AsyncSession, contributor: Contributor) -> None:
    await publisher.publish(session, "contributor.upserted", eligibility_facts(contributor))
