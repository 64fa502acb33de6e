"""What the tasks service publishes and how it handles what it receives.

`task.completed`, `project.status_changed` and `sla.breached` are meant for vendors, but vendors has
no handler for them yet and a receiver without a handler answers 422 (the outbox would retry forever),
so they are routed nowhere until it does.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.assignment.queries import release_held_leases
from services.tasks.models import ContributorProfile, event_tables
from services.tasks.repository import profiles
from services.tasks.repository.projects import revoke_grants_of
from services.tasks.rules.eligibility import DEFAULT_DAILY_CAPS, facts_of
from shared.db import utcnow
from shared.events import Event, EventHandler, Publisher
from shared.rawsql import session_connection

ROUTES: dict[str, tuple[str, ...]] = {
    "submission.recorded": ("contributors",),
    "quality.drift": ("contributors",),
    "task.completed": (),
    "project.status_changed": (),
    "sla.breached": (),
}
publisher = Publisher(source="tasks", tables=event_tables, routes=ROUTES)


async def apply_contributor_upserted(session: AsyncSession, event: Event) -> None:
    """Newer versions replace the profile; an older one arriving late (after a retry) is ignored."""
    data = event.data
    profile = await profiles.get_profile(session, contributor_id=data["contributor_id"])
    if profile is not None and profile.version >= data["version"]:
        return
    profile = profile or ContributorProfile(
        contributor_id=data["contributor_id"], version=data["version"], status=""
    )
    wellness = data.get("wellness") or {}
    caps = wellness.get("daily_caps_minutes") or {}
    profile.version = data["version"]
    profile.status = data["status"]
    profile.vendor_id = data.get("vendor_id")
    profile.languages = data.get("languages", [])
    profile.skills = data.get("skills", [])
    profile.qualifications = data.get("qualifications") or []
    profile.daily_caps_minutes = {k: int(caps.get(k, v)) for k, v in DEFAULT_DAILY_CAPS.items()}
    profile.opted_out_harmful = bool(wellness.get("opted_out_harmful", False))
    profile.timezone = wellness.get("timezone") or "UTC"
    vetting = data.get("vetting")
    # Events from before vetting existed carry none: such a profile is simply not vetted.
    profile.vetting = {"expires_at": vetting.get("expires_at")} if isinstance(vetting, dict) else None
    profile.updated_at = utcnow()
    await profiles.save_profile(session, profile)
    facts = facts_of(
        languages=profile.languages,
        skills=profile.skills,
        qualifications=profile.qualifications,
        daily_caps_minutes=profile.daily_caps_minutes,
        vetting=profile.vetting,
        break_ends_at=wellness.get("break_ends_at"),
    )
    await profiles.replace_facts(session, contributor_id=profile.contributor_id, facts=facts)
    if profile.status == "offboarded":
        await revoke_grants_of(
            session, contributor_id=profile.contributor_id, now=utcnow(), reason="contributor offboarded"
        )
    if profile.status == "offboarded" or profile.opted_out_harmful:
        await _release_leases(
            session, contributor_id=profile.contributor_id, harmful_only=profile.status != "offboarded"
        )


async def _release_leases(session: AsyncSession, **scope: Any) -> None:
    """Leases nobody may answer any more go back to the queue at once (assignment/preconditions.py
    SUBMIT_PRECONDITIONS: submit refuses them too)."""
    connection = await session_connection(session)
    await release_held_leases(connection, now=utcnow(), **scope)


async def apply_contributor_erased(session: AsyncSession, event: Event) -> None:
    """An erased contributor is offboarded: the profile stays (for counts) but is never eligible again."""
    contributor_id = event.data["contributor_id"]
    profile = await profiles.get_profile(session, contributor_id=contributor_id)
    if profile is None:
        profile = ContributorProfile(contributor_id=contributor_id, version=0, status="offboarded")
    profile.erased = True
    profile.status = "offboarded"
    profile.languages, profile.skills, profile.qualifications = [], [], []
    profile.vetting = None
    profile.updated_at = utcnow()
    await profiles.save_profile(session, profile)
    await profiles.replace_facts(session, contributor_id=contributor_id, facts=[])
    await _release_leases(session, contributor_id=contributor_id, harmful_only=False)
    await revoke_grants_of(session, contributor_id=contributor_id, now=utcnow(), reason="contributor erased")


async def apply_vendor_status_changed(session: AsyncSession, event: Event) -> None:
    """The newest status wins (a retried older event changes nothing); a terminated vendor's staff lose
    their held leases at once (assignment/preconditions.py: vendor_active, vendor_not_terminated)."""
    data = event.data
    changed_at = datetime.fromisoformat(data["changed_at"])
    if not await profiles.save_vendor_status(
        session, vendor_id=data["vendor_id"], status=data["status"], changed_at=changed_at
    ):
        return
    if data["status"] == "terminated":
        await _release_leases(session, vendor_id=data["vendor_id"])


async def apply_budget_cap_changed(session: AsyncSession, event: Event) -> None:
    """The newest cap of a hard-cap budget wins; `max_units` null lifts it (no cap, or no price yet)."""
    data = event.data
    await profiles.save_budget_cap(
        session,
        budget_id=data["budget_id"],
        project_id=data["project_id"],
        vendor_id=data["vendor_id"],
        max_units=data["max_units"],
        period_start=datetime.fromisoformat(data["period_start"]),
        period_end=datetime.fromisoformat(data["period_end"]),
        changed_at=datetime.fromisoformat(data["changed_at"]),
    )


HANDLERS: dict[str, EventHandler] = {
    "contributor.upserted": apply_contributor_upserted,
    "contributor.erased": apply_contributor_erased,
    "vendor.status_changed": apply_vendor_status_changed,
    "budget.cap_changed": apply_budget_cap_changed,
}
