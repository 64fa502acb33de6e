"""The events this service publishes, and the one rule that versions and announces contributor changes."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor, VendorWellnessPolicy, event_tables
from services.contributors.repository import contributors as repository
from services.contributors.repository import qualifications as qualification_repository
from services.contributors.repository import wellness as wellness_repository
from services.contributors.rules.wellness import (
    ContentSeverity,
    ExposurePolicy,
    ExposurePolicyOverride,
    ExposureSession,
    break_ends_at,
    merge_policy,
)
from services.contributors.settings import ContributorsSettings
from shared.db import utcnow
from shared.events import Publisher

# tasks keeps the eligibility read-model; vendors forwards the changes to its webhook subscribers.
ROUTES: dict[str, tuple[str, ...]] = {
    "contributor.upserted": ("tasks", "vendors", "gateway"),
    "contributor.erased": ("tasks", "vendors", "gateway"),
    # Wellness news other services and the vendors' webhook subscribers act on (ids and times only).
    "wellness.support_requested": ("vendors",),
    "wellness.break_started": ("vendors",),
    "wellness.cap_reached": ("vendors",),
    # Support news the vendors' webhook subscribers act on (ids, priorities and times only).
    "ticket.escalated": ("vendors",),
    "ticket.sla_warning": ("vendors",),
    "ticket.sla_breached": ("vendors",),
}

publisher = Publisher(source="contributors", tables=event_tables, routes=ROUTES)


def override_of(policy: VendorWellnessPolicy | None) -> ExposurePolicyOverride | None:
    if policy is None:
        return None
    caps = {
        severity: minutes
        for severity, minutes in (
            ("low", policy.cap_low_minutes),
            ("medium", policy.cap_medium_minutes),
            ("high", policy.cap_high_minutes),
        )
        if minutes is not None
    }
    return ExposurePolicyOverride(
        daily_cap_minutes=caps,
        continuous_limit_minutes=policy.continuous_limit_minutes,
        break_minutes=policy.break_minutes,
    )


async def effective_policy(
    *, session: AsyncSession, vendor_id: int | None, settings: ContributorsSettings
) -> tuple[ExposurePolicy, VendorWellnessPolicy | None]:
    """The global policy with the contributor's vendor's overrides applied."""
    vendor_policy = None
    if vendor_id is not None:
        vendor_policy = await wellness_repository.vendor_policy(session, vendor_id=vendor_id)
    return merge_policy(settings.exposure_policy(), override_of(vendor_policy)), vendor_policy


# How far back exposure can still be part of the current continuous stretch.
CONTINUOUS_LOOKBACK = timedelta(hours=24)


async def current_break_end(
    *, session: AsyncSession, contributor_id: int, policy: ExposurePolicy, now: datetime
) -> datetime | None:
    """When the break the contributor's continuous exposure requires ends; None when none is due."""
    records = await wellness_repository.exposure_between(
        session,
        contributor_id=contributor_id,
        start=now - CONTINUOUS_LOOKBACK,
        end=now + timedelta(seconds=1),
    )
    sessions = [ExposureSession(r.started_at, r.ended_at, ContentSeverity(r.severity)) for r in records]
    return break_ends_at(policy, sessions, now)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def eligibility_facts(
    *, session: AsyncSession, contributor: Contributor, settings: ContributorsSettings
) -> dict[str, Any]:
    """Exactly what assignment needs to decide eligibility, and the version that orders updates.

    No personal data: ids, codes, numbers and times only (the payload sits in outbox rows and reaches
    the vendors' webhook subscribers).
    """
    policy, _ = await effective_policy(session=session, vendor_id=contributor.vendor_id, settings=settings)
    qualifications = await qualification_repository.qualifications_of(session, contributor_id=contributor.id)
    break_end = await current_break_end(
        session=session, contributor_id=contributor.id, policy=policy, now=utcnow()
    )
    return {
        "contributor_id": contributor.id,
        "version": contributor.version,
        "status": contributor.status,
        "vendor_id": contributor.vendor_id,
        "languages": [{"code": x["code"], "proficiency": x["proficiency"]} for x in contributor.languages],
        "skills": list(contributor.skills),
        "qualifications": [
            {"name": q.name, "score": q.score, "passed": q.passed, "expires_at": _iso(q.expires_at)}
            for q in qualifications
        ],
        "wellness": {
            "daily_caps_minutes": {k.value: v for k, v in policy.daily_cap_minutes.items()},
            "opted_out_harmful": contributor.opted_out_harmful,
            "timezone": contributor.timezone,
            # The required break in progress: assignment refuses exposed work until it ends.
            "break_ends_at": _iso(break_end),
        },
        # The expiry, not a flag: tasks stops counting a lapsed vetting itself, without another event.
        "vetting": (
            None if contributor.vetted_at is None else {"expires_at": _iso(contributor.vetting_expires_at)}
        ),
    }


def _without_version(facts: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in facts.items() if k != "version"}


async def record_change(
    *,
    session: AsyncSession,
    contributor: Contributor,
    before: dict[str, Any] | None,
    settings: ContributorsSettings,
) -> bool:
    """Bump the version of a changed contributor and publish `contributor.upserted` if its facts changed.

    `before` is `eligibility_facts` taken before the change (None for a new contributor). Every change
    moves the version (it is the ETag too); receivers ignore versions older than the one they hold.
    """
    if before is not None:
        contributor.version += 1
        contributor.updated_at = utcnow()
    await repository.flush_profile(session, contributor)
    after = await eligibility_facts(session=session, contributor=contributor, settings=settings)
    if before is not None and _without_version(before) == _without_version(after):
        return False
    await publisher.publish(session, "contributor.upserted", after)
    return True


async def publish_wellness(
    session: AsyncSession, event_type: str, contributor: Contributor, **data: Any
) -> None:
    payload = {
        "contributor_id": contributor.id,
        "vendor_id": contributor.vendor_id,
        "at": _iso(utcnow()),
        **data,
    }
    await publisher.publish(session, event_type, payload)


async def publish_erased(*, session: AsyncSession, contributor: Contributor) -> None:
    await publisher.publish(session, "contributor.erased", {"contributor_id": contributor.id})
