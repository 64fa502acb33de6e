"""Rules of wellness: exposure from tasks' submissions, caps and breaks, check-ins, opt-out, vendor policies."""

import logging
import math
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors import metrics
from services.contributors.models import Contributor, ExposureRecord, VendorWellnessPolicy, WellnessCheckIn
from services.contributors.repository import contributors as repository
from services.contributors.repository import wellness as wellness_repository
from services.contributors.rules.access import actor_of, is_manager
from services.contributors.rules.wellness import (
    CAPPED_SEVERITIES,
    ContentSeverity,
    ExposurePolicy,
    ExposureSession,
    break_ends_at,
    continuous_exposure_minutes,
    exposure_by_local_day,
    local_day_bounds,
    merge_policy,
    minutes_remaining_today,
)
from services.contributors.schemas.wellness import (
    Caps,
    CheckInCreate,
    CheckInRead,
    DayExposure,
    OptOutUpdate,
    PolicyRead,
    SeverityMinutes,
    VendorPolicyPut,
    VendorPolicyRead,
    WellnessRead,
)
from services.contributors.service.contributors import ensure_not_erased
from services.contributors.service.notifications import notify_wellness_support
from services.contributors.service.publishing import (
    CONTINUOUS_LOOKBACK,
    effective_policy,
    eligibility_facts,
    override_of,
    publish_wellness,
    record_change,
)
from services.contributors.settings import ContributorsSettings, get_settings
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import NotFound, Unprocessable
from shared.types import MAX_ID

log = logging.getLogger("labelops.contributors.wellness")

# A chain of exposure without a break cannot reasonably span more than a day.


class SubmissionRecorded(BaseModel):
    contributor_id: int
    project_id: int
    severity: Literal["none", "low", "medium", "high"]
    seconds: int
    submitted_at: datetime


def policy_read(policy: ExposurePolicy, *, vendor_id: int | None, from_vendor: bool) -> PolicyRead:
    caps = {k.value: v for k, v in policy.daily_cap_minutes.items()}
    return PolicyRead(
        daily_caps_minutes=Caps(**caps),
        continuous_limit_minutes=policy.continuous_limit_minutes,
        break_minutes=policy.break_minutes,
        source="vendor" if from_vendor else "global",
        vendor_id=vendor_id if from_vendor else None,
    )


async def record_submission(*, session: AsyncSession, data: dict) -> None:
    """Add one submission's exposure (the `seconds` before `submitted_at`) to the contributor's days."""
    try:
        fact = SubmissionRecorded.model_validate(data)
    except ValidationError as exc:
        raise Unprocessable(f"submission.recorded data is invalid: {exc.errors()[0]['msg']}") from exc
    if (
        fact.submitted_at.tzinfo is None
        or not (0 <= fact.seconds <= 86_400)
        or not 0 < fact.contributor_id <= MAX_ID
    ):
        raise Unprocessable("submission.recorded needs an aware submitted_at and 0..86400 seconds")
    # Locked: deliveries for one contributor (several tasks replicas) each see the exposure and break the
    # one before left, so a break or a cap is announced once and the contributor's versions never fork.
    contributor = await repository.get(session, contributor_id=fact.contributor_id, for_update=True)
    if contributor is None:
        log.warning("submission.recorded for unknown contributor %s ignored", fact.contributor_id)
        return
    settings = get_settings()
    before = await eligibility_facts(session=session, contributor=contributor, settings=settings)
    ended = fact.submitted_at
    await wellness_repository.add_exposure(
        session,
        ExposureRecord(
            contributor_id=fact.contributor_id,
            project_id=fact.project_id,
            severity=fact.severity,
            seconds=fact.seconds,
            started_at=ended - timedelta(seconds=fact.seconds),
            ended_at=ended,
        ),
    )
    metrics.EXPOSURE_SECONDS.labels(fact.severity).inc(fact.seconds)
    await wellness_repository.touch_project(
        session, contributor_id=fact.contributor_id, project_id=fact.project_id, at=ended
    )
    # Exposure that starts a required break is news for assignment (the break's end is a fact).
    after = await eligibility_facts(session=session, contributor=contributor, settings=settings)
    break_ends_at = after["wellness"]["break_ends_at"]
    if break_ends_at != before["wellness"]["break_ends_at"]:
        await record_change(session=session, contributor=contributor, before=before, settings=settings)
        if break_ends_at is not None:
            await publish_wellness(
                session, "wellness.break_started", contributor, break_ends_at=break_ends_at
            )
    if fact.severity != "none":
        await _tell_cap_reached(session, contributor=contributor, fact=fact, settings=settings)


async def _tell_cap_reached(
    session: AsyncSession,
    *,
    contributor: Contributor,
    fact: SubmissionRecorded,
    settings: ContributorsSettings,
) -> None:
    """`wellness.cap_reached` once, by the submission whose exposure brings today's minutes at its
    severity to the cap (in the contributor's own day)."""
    policy, _ = await effective_policy(session=session, vendor_id=contributor.vendor_id, settings=settings)
    severity = ContentSeverity(fact.severity)
    cap = policy.daily_cap_minutes[severity]
    now = fact.submitted_at
    day = now.astimezone(ZoneInfo(contributor.timezone)).date()
    start, _ = local_day_bounds(now, contributor.timezone)
    records = await wellness_repository.exposure_between(
        session, contributor_id=contributor.id, start=start, end=now + timedelta(seconds=1)
    )
    sessions = [ExposureSession(r.started_at, r.ended_at, ContentSeverity(r.severity)) for r in records]
    today = exposure_by_local_day(sessions, days=[day], timezone=contributor.timezone, now=now)[day][severity]
    if today >= cap > today - fact.seconds / 60:
        await publish_wellness(
            session,
            "wellness.cap_reached",
            contributor,
            severity=fact.severity,
            day=day.isoformat(),
            cap_minutes=cap,
        )


async def wellness_of(
    *,
    session: AsyncSession,
    principal: Principal,
    contributor: Contributor,
    days: int,
    settings: ContributorsSettings,
    now: datetime | None = None,
) -> WellnessRead:
    """Today's exposure in the contributor's own day, what is left under its caps, and whether a break is due."""
    now = now or utcnow()
    policy, vendor_policy = await effective_policy(
        session=session, vendor_id=contributor.vendor_id, settings=settings
    )
    zone = ZoneInfo(contributor.timezone)
    today = now.astimezone(zone).date()
    dates = [today - timedelta(days=i) for i in range(days)]
    oldest = datetime.combine(dates[-1], time(0), tzinfo=zone).astimezone(UTC)
    start = min(oldest, now - CONTINUOUS_LOOKBACK)
    records = await wellness_repository.exposure_between(
        session, contributor_id=contributor.id, start=start, end=now + timedelta(seconds=1)
    )
    sessions = [ExposureSession(r.started_at, r.ended_at, ContentSeverity(r.severity)) for r in records]
    by_day = exposure_by_local_day(sessions, days=dates, timezone=contributor.timezone, now=now)
    today_minutes = {k.value: v for k, v in by_day[today].items()}
    remaining = {
        s.value: math.floor(
            minutes_remaining_today(
                policy, today_minutes, s.value, opted_out_of_harmful=contributor.opted_out_harmful
            )
            or 0
        )
        for s in CAPPED_SEVERITIES
    }
    own_or_staff = is_manager(principal) or principal.contributor_id == contributor.id
    last = (
        await wellness_repository.last_check_in(session, contributor_id=contributor.id)
        if own_or_staff
        else None
    )
    return WellnessRead(
        contributor_id=contributor.id,
        timezone=contributor.timezone,
        local_date=today,
        opted_out_harmful=contributor.opted_out_harmful,
        policy=policy_read(policy, vendor_id=contributor.vendor_id, from_vendor=vendor_policy is not None),
        today_minutes=SeverityMinutes(**{k: round(v, 2) for k, v in today_minutes.items()}),
        remaining_minutes=Caps(**remaining),
        continuous_exposure_minutes=round(continuous_exposure_minutes(policy, sessions, now), 2),
        break_required=break_ends_at(policy, sessions, now) is not None,
        break_ends_at=break_ends_at(policy, sessions, now),
        days=[
            DayExposure(
                date=d, minutes=SeverityMinutes(**{k.value: round(v, 2) for k, v in by_day[d].items()})
            )
            for d in dates
        ],
        last_check_in=CheckInRead.model_validate(last) if last else None,
    )


async def set_opt_out(
    *, session: AsyncSession, contributor: Contributor, data: OptOutUpdate, settings: ContributorsSettings
) -> Contributor:
    """Opting out of harmful content takes effect in assignment through `contributor.upserted`."""
    ensure_not_erased(contributor)
    if contributor.opted_out_harmful == data.opted_out_harmful:
        return contributor
    before = await eligibility_facts(session=session, contributor=contributor, settings=settings)
    contributor.opted_out_harmful = data.opted_out_harmful
    await record_change(session=session, contributor=contributor, before=before, settings=settings)
    return contributor


async def add_check_in(
    *,
    session: AsyncSession,
    principal: Principal,
    contributor: Contributor,
    data: CheckInCreate,
    settings: ContributorsSettings,
) -> WellnessCheckIn:
    ensure_not_erased(contributor)
    row = WellnessCheckIn(contributor_id=contributor.id, recorded_by=actor_of(principal), **data.model_dump())
    await repository.save(session, row)
    if row.wants_support:
        # The note stays here: the event says who asked and when, never what they wrote.
        await publish_wellness(session, "wellness.support_requested", contributor, check_in_id=row.id)
        await notify_wellness_support(session, settings, contributor_id=contributor.id, check_in_id=row.id)
    return row


async def check_ins(
    *, session: AsyncSession, contributor: Contributor, sort: str, cursor: str | None, limit: int
) -> list[WellnessCheckIn]:
    return await wellness_repository.check_ins(
        session, contributor_id=contributor.id, sort=sort, cursor=cursor, limit=limit
    )


def global_policy(settings: ContributorsSettings) -> PolicyRead:
    return policy_read(settings.exposure_policy(), vendor_id=None, from_vendor=False)


def vendor_policy_read(
    policy: VendorWellnessPolicy, settings: ContributorsSettings, *, republished: int | None = None
) -> VendorPolicyRead:
    merged = merge_policy(settings.exposure_policy(), override_of(policy))
    return VendorPolicyRead(
        vendor_id=policy.vendor_id,
        overrides=VendorPolicyPut(
            daily_caps_minutes={
                "low": policy.cap_low_minutes,
                "medium": policy.cap_medium_minutes,
                "high": policy.cap_high_minutes,
            },
            continuous_limit_minutes=policy.continuous_limit_minutes,
            break_minutes=policy.break_minutes,
        ),
        effective=policy_read(merged, vendor_id=policy.vendor_id, from_vendor=True),
        version=policy.version,
        updated_by=policy.updated_by,
        updated_at=policy.updated_at,
        republished_contributors=republished,
    )


async def get_vendor_policy(
    *, session: AsyncSession, principal: Principal, vendor_id: int, settings: ContributorsSettings
) -> VendorPolicyRead:
    # A vendor user reads its own vendor's policy only; another vendor's is a 404 like any other id.
    policy = await wellness_repository.get_readable_vendor_policy(
        session, principal=principal, vendor_id=vendor_id
    )
    if policy is None:
        raise NotFound(f"vendor {vendor_id} has no wellness policy of its own; the global policy applies")
    return vendor_policy_read(policy, settings)


def _caps(policy: ExposurePolicy) -> dict[str, int]:
    return {k.value: v for k, v in policy.daily_cap_minutes.items()}


async def put_vendor_policy(
    *,
    session: AsyncSession,
    principal: Principal,
    vendor_id: int,
    data: VendorPolicyPut,
    settings: ContributorsSettings,
) -> tuple[VendorPolicyRead, bool]:
    """Set a vendor's overrides; when its caps change, every contributor of the vendor is re-published."""
    old, _ = await effective_policy(session=session, vendor_id=vendor_id, settings=settings)
    policy = await wellness_repository.vendor_policy(session, vendor_id=vendor_id, for_update=True)
    created = policy is None
    if policy is None:
        policy = VendorWellnessPolicy(vendor_id=vendor_id, updated_by=actor_of(principal), version=0)
    policy.cap_low_minutes = data.daily_caps_minutes.low
    policy.cap_medium_minutes = data.daily_caps_minutes.medium
    policy.cap_high_minutes = data.daily_caps_minutes.high
    policy.continuous_limit_minutes = data.continuous_limit_minutes
    policy.break_minutes = data.break_minutes
    policy.version += 1
    policy.updated_by = actor_of(principal)
    policy.updated_at = utcnow()
    await repository.save(session, policy)
    new = merge_policy(settings.exposure_policy(), override_of(policy))
    republished = 0
    if _caps(old) != _caps(new):
        republished = await republish_vendor(session=session, vendor_id=vendor_id, settings=settings)
    return vendor_policy_read(policy, settings, republished=republished), created


async def delete_vendor_policy(
    *, session: AsyncSession, vendor_id: int, settings: ContributorsSettings
) -> int:
    policy = await wellness_repository.vendor_policy(session, vendor_id=vendor_id, for_update=True)
    if policy is None:
        raise NotFound(f"vendor {vendor_id} has no wellness policy of its own")
    old = merge_policy(settings.exposure_policy(), override_of(policy))
    await repository.delete_row(session, policy)
    if _caps(old) != _caps(settings.exposure_policy()):
        return await republish_vendor(session=session, vendor_id=vendor_id, settings=settings)
    return 0


async def republish_vendor(*, session: AsyncSession, vendor_id: int, settings: ContributorsSettings) -> int:
    """New limits for every (non-erased) contributor of a vendor: a version and an upsert each."""
    count, after = 0, 0
    while ids := await repository.ids_of_vendor(
        session, vendor_id=vendor_id, after_id=after, limit=settings.republish_batch_size
    ):
        for contributor_id in ids:
            contributor = await repository.get(session, contributor_id=contributor_id, for_update=True)
            if contributor is None:
                continue
            # `before` is only compared without its version; {} differs from any facts, so it publishes.
            await record_change(session=session, contributor=contributor, before={}, settings=settings)
            count += 1
        after = ids[-1]
    return count
