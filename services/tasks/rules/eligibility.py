"""Who may take work from a project right now, decided from the local contributor read-model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.tasks.models import DEFAULT_DAILY_CAPS

HARMFUL_SEVERITIES = ("medium", "high")
CAPPED_SEVERITIES = ("low", "medium", "high")


@dataclass(frozen=True)
class ProfileFacts:
    status: str
    vendor_id: int | None
    languages: list[dict[str, Any]]
    skills: list[str]
    qualifications: list[dict[str, Any]]
    daily_caps_minutes: dict[str, int]
    opted_out_harmful: bool
    timezone: str
    erased: bool
    # {"expires_at": ISO time or None} while vetted for harmful content; None when not vetted.
    vetting: dict[str, Any] | None = None


@dataclass(frozen=True)
class ProjectRules:
    required_languages: list[str]
    required_skills: list[str]
    required_qualification: str | None
    required_qualification_score: float | None
    content_severity: str
    # Only vendor staff with an unexpired vetting may work the project.
    vetted_staff_only: bool = False


def ineligibility(profile: ProfileFacts, project: ProjectRules, *, now: datetime) -> str | None:
    """Why the contributor may not work on the project (a short reason), or None when eligible."""
    if profile.erased or profile.status != "active":
        return f"contributor status is {'erased' if profile.erased else profile.status}"
    codes = {str(lang.get("code", "")).lower() for lang in profile.languages if isinstance(lang, dict)}
    missing = [code for code in project.required_languages if code.lower() not in codes]
    if missing:
        return f"missing languages: {', '.join(missing)}"
    missing = [skill for skill in project.required_skills if skill not in profile.skills]
    if missing:
        return f"missing skills: {', '.join(missing)}"
    if project.required_qualification and not has_qualification(
        profile.qualifications,
        project.required_qualification,
        min_score=project.required_qualification_score,
        now=now,
    ):
        return f"no valid qualification '{project.required_qualification}'"
    if project.content_severity in HARMFUL_SEVERITIES and profile.opted_out_harmful:
        return "opted out of harmful content"
    if project.vetted_staff_only:
        if profile.vendor_id is None:
            return "vetted vendor staff only: not vendor staff"
        if not is_vetted(profile.vetting, now=now):
            return "vetted vendor staff only: no unexpired vetting"
    return None


def is_vetted(vetting: dict[str, Any] | None, *, now: datetime) -> bool:
    """A vetting on record whose expiry, if it has one, is still ahead of `now`."""
    if not isinstance(vetting, dict):
        return False
    return _unexpired(vetting.get("expires_at"), now=now)


def _unexpired(expires: Any, *, now: datetime) -> bool:
    """No expiry, or a readable one with an offset after `now` (an unreadable expiry counts as lapsed)."""
    if not expires:
        return True
    try:
        expiry = datetime.fromisoformat(str(expires).replace("Z", "+00:00"))
    except ValueError:
        return False
    return expiry.tzinfo is not None and expiry > now


def has_qualification(
    qualifications: list[dict[str, Any]], name: str, *, min_score: float | None, now: datetime
) -> bool:
    """A passed qualification of that name, not expired, scoring at least `min_score` when one is set."""
    for qual in qualifications:
        if not isinstance(qual, dict) or qual.get("name") != name or not qual.get("passed"):
            continue
        if not _unexpired(qual.get("expires_at"), now=now):
            continue
        if min_score is not None and float(qual.get("score") or 0) < min_score:
            continue
        return True
    return False


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(now: datetime, timezone: str) -> str:
    """The contributor's calendar day at `now`, as YYYY-MM-DD (exposure is counted per local day)."""
    return now.astimezone(zone_of(timezone)).date().isoformat()


def local_day_start(now: datetime, timezone: str) -> datetime:
    """The instant the contributor's current calendar day began (daily quotas count from it)."""
    local = now.astimezone(zone_of(timezone))
    return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)


def seconds_to_local_midnight(now: datetime, timezone: str) -> int:
    local = now.astimezone(zone_of(timezone))
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return max(int((midnight - local).total_seconds()), 1)


def wellness_minutes_left(caps: dict[str, int], severity: str, seconds_today: int) -> float | None:
    """Minutes left today at this severity; None when the severity is never capped."""
    if severity not in CAPPED_SEVERITIES:
        return None
    cap = caps.get(severity, DEFAULT_DAILY_CAPS[severity])
    return cap - seconds_today / 60
