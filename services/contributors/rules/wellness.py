"""Wellness rules: daily exposure caps per severity, breaks after continuous exposure, opt-out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from services.contributors.rules.datetimes import ensure_aware
from services.contributors.rules.locale import validate_timezone


class ContentSeverity(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# Capped severities from least to most severe; NONE is never capped.
CAPPED_SEVERITIES: tuple[ContentSeverity, ...] = (
    ContentSeverity.LOW,
    ContentSeverity.MEDIUM,
    ContentSeverity.HIGH,
)

# Severities a contributor who opted out of harmful content must not see at all.
HARMFUL_SEVERITIES: frozenset[ContentSeverity] = frozenset({ContentSeverity.MEDIUM, ContentSeverity.HIGH})


def _parse_severity(value: str) -> ContentSeverity:
    try:
        return ContentSeverity(value)
    except ValueError:
        known = ", ".join(s.value for s in ContentSeverity)
        raise ValueError(f"unknown content severity {value!r}; known: {known}") from None


@dataclass(frozen=True)
class ExposurePolicy:
    """Daily caps in minutes per capped severity, and the continuous exposure allowed before a break."""

    daily_cap_minutes: Mapping[ContentSeverity, int]
    continuous_limit_minutes: int
    break_minutes: int

    def __post_init__(self) -> None:
        caps = {_parse_severity(k): v for k, v in self.daily_cap_minutes.items()}
        if set(caps) != set(CAPPED_SEVERITIES):
            raise ValueError("daily_cap_minutes needs exactly the severities low, medium and high")
        if any(v < 0 for v in caps.values()):
            raise ValueError("daily caps cannot be negative")
        if self.continuous_limit_minutes <= 0 or self.break_minutes <= 0:
            raise ValueError("continuous_limit_minutes and break_minutes must be positive")
        object.__setattr__(self, "daily_cap_minutes", MappingProxyType(caps))


@dataclass(frozen=True)
class ExposurePolicyOverride:
    """A vendor's (contract's) changes to the global policy; unset fields keep the global value."""

    daily_cap_minutes: Mapping[str, int] = field(default_factory=dict)
    continuous_limit_minutes: int | None = None
    break_minutes: int | None = None


# Global default (the service's settings can change it); each level's cap also bounds the more severe ones
# (see minutes_remaining_today), so LOW's cap is the total harmful exposure allowed in a day.
DEFAULT_EXPOSURE_POLICY = ExposurePolicy(
    daily_cap_minutes={ContentSeverity.LOW: 480, ContentSeverity.MEDIUM: 240, ContentSeverity.HIGH: 120},
    continuous_limit_minutes=60,
    break_minutes=15,
)


@dataclass(frozen=True, slots=True)
class ExposureSession:
    """A span of time a contributor spent on content of one severity; datetimes are timezone-aware."""

    started_at: datetime
    ended_at: datetime
    severity: ContentSeverity

    def __post_init__(self) -> None:
        object.__setattr__(self, "started_at", ensure_aware(self.started_at, "started_at"))
        object.__setattr__(self, "ended_at", ensure_aware(self.ended_at, "ended_at"))
        object.__setattr__(self, "severity", _parse_severity(self.severity))
        if self.ended_at < self.started_at:
            raise ValueError("an exposure session cannot end before it starts")


def merge_policy(base: ExposurePolicy, override: ExposurePolicyOverride | None) -> ExposurePolicy:
    """Return base with every field the override sets replaced (caps merge per severity)."""
    if override is None:
        return base
    caps = dict(base.daily_cap_minutes)
    caps.update({_parse_severity(k): v for k, v in override.daily_cap_minutes.items()})
    return ExposurePolicy(
        daily_cap_minutes=caps,
        continuous_limit_minutes=(
            base.continuous_limit_minutes
            if override.continuous_limit_minutes is None
            else override.continuous_limit_minutes
        ),
        break_minutes=base.break_minutes if override.break_minutes is None else override.break_minutes,
    )


def minutes_remaining_today(
    policy: ExposurePolicy,
    exposure_today_by_severity: Mapping[str, float],
    severity: str,
    *,
    opted_out_of_harmful: bool = False,
) -> float | None:
    """Return the minutes of content at severity still allowed today (None = uncapped, for severity none).

    A level's cap counts the minutes at that level and every more severe one: a day of high-severity
    work uses up the medium and low allowances too, so it cannot be topped up by a full medium and low
    day, and the low cap bounds the total harmful exposure.
    """
    target = _parse_severity(severity)
    if target is ContentSeverity.NONE:
        return None
    if opted_out_of_harmful and target in HARMFUL_SEVERITIES:
        return 0.0
    exposure = {_parse_severity(k): float(v) for k, v in exposure_today_by_severity.items()}
    if any(v < 0 for v in exposure.values()):
        raise ValueError("exposure minutes cannot be negative")
    rank = CAPPED_SEVERITIES.index(target)
    remaining = min(
        policy.daily_cap_minutes[level] - sum(exposure.get(s, 0.0) for s in CAPPED_SEVERITIES[i:])
        for i, level in enumerate(CAPPED_SEVERITIES[: rank + 1])
    )
    return max(0.0, remaining)


def local_day_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """Return the UTC start and end of the calendar day containing now in the given IANA time zone."""
    # A day is the contributor's own day: resetting caps at UTC midnight would hand someone in UTC-5 a
    # fresh allowance at 19:00 mid-shift. DST days last 23 or 25 hours, which zoneinfo accounts for.
    zone = ZoneInfo(validate_timezone(timezone))
    local_date = ensure_aware(now, "now").astimezone(zone).date()
    start = datetime.combine(local_date, time(0), tzinfo=zone)
    end = datetime.combine(local_date + timedelta(days=1), time(0), tzinfo=zone)
    return ensure_aware(start, "start"), ensure_aware(end, "end")


def exposure_today_by_severity(
    sessions: Iterable[ExposureSession], *, now: datetime, timezone: str
) -> dict[ContentSeverity, float]:
    """Return minutes per severity between the contributor's local midnight and now (sessions clipped)."""
    now = ensure_aware(now, "now")
    day_start, _ = local_day_bounds(now, timezone)
    totals = dict.fromkeys(ContentSeverity, 0.0)
    for session in sessions:
        overlap = min(session.ended_at, now) - max(session.started_at, day_start)
        if overlap > timedelta(0):
            totals[session.severity] += overlap.total_seconds() / 60
    return totals


def _current_exposure_chain(
    policy: ExposurePolicy, sessions: Iterable[ExposureSession], now: datetime
) -> tuple[float, datetime | None]:
    # Sessions closer together than a full break form one continuous stretch: a 5-minute gap is no rest.
    # Overlapping sessions (two tasks open at once) count once, as wall-clock time.
    now = ensure_aware(now, "now")
    rest = timedelta(minutes=policy.break_minutes)
    harmful = sorted(
        (s for s in sessions if s.severity is not ContentSeverity.NONE and s.started_at < now),
        key=lambda s: s.started_at,
    )
    chain_minutes = 0.0
    chain_end: datetime | None = None
    for session in harmful:
        end = min(session.ended_at, now)
        if chain_end is None or session.started_at - chain_end >= rest:
            chain_minutes = 0.0
            counted_from = session.started_at
        else:
            counted_from = max(session.started_at, chain_end)
        if end > counted_from:
            chain_minutes += (end - counted_from).total_seconds() / 60
        chain_end = end if chain_end is None else max(chain_end, end)
    if chain_end is None or now - chain_end >= rest:
        return 0.0, None
    return chain_minutes, chain_end


def continuous_exposure_minutes(
    policy: ExposurePolicy, exposure_sessions: Iterable[ExposureSession], now: datetime
) -> float:
    """Return the minutes of severity>none exposure since the last break of at least policy.break_minutes."""
    minutes, _ = _current_exposure_chain(policy, exposure_sessions, now)
    return minutes


def break_required(
    policy: ExposurePolicy, exposure_sessions: Iterable[ExposureSession], now: datetime
) -> bool:
    """Return True when continuous exposure has reached the policy's limit and no break has followed."""
    return continuous_exposure_minutes(policy, exposure_sessions, now) >= policy.continuous_limit_minutes


def break_ends_at(
    policy: ExposurePolicy, exposure_sessions: Iterable[ExposureSession], now: datetime
) -> datetime | None:
    """Return when the required break ends (last exposure end + break length), or None if none is due."""
    minutes, chain_end = _current_exposure_chain(policy, exposure_sessions, now)
    if chain_end is None or minutes < policy.continuous_limit_minutes:
        return None
    return chain_end + timedelta(minutes=policy.break_minutes)


def exposure_by_local_day(
    sessions: Iterable[ExposureSession], *, days: Iterable[date], timezone: str, now: datetime
) -> dict[date, dict[ContentSeverity, float]]:
    """Return minutes per severity for each of the given calendar days in the contributor's time zone.

    Sessions are clipped to each day's bounds (a session across midnight counts on both days) and to now.
    """
    zone = ZoneInfo(validate_timezone(timezone))
    now = ensure_aware(now, "now")
    items = list(sessions)
    result: dict[date, dict[ContentSeverity, float]] = {}
    for day in days:
        start = ensure_aware(datetime.combine(day, time(0), tzinfo=zone), "start")
        end = min(ensure_aware(datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone), "end"), now)
        totals = dict.fromkeys(ContentSeverity, 0.0)
        for session in items:
            overlap = min(session.ended_at, end) - max(session.started_at, start)
            if overlap > timedelta(0):
                totals[session.severity] += overlap.total_seconds() / 60
        result[day] = totals
    return result


# --- the wellness board: who is near a cap, on a required break, or asked for support ----------------

# "Near" a daily cap: at least this share of it used today (a cap reached counts too). The board's
# `near_cap_share` query parameter may ask for another share; this is its default.
NEAR_CAP_SHARE = 0.8
# A check-in asking for support keeps its person on the board while it is their latest check-in and
# no older than this: a week, the span a support lead follows a person up in.
SUPPORT_REQUEST_WINDOW = timedelta(days=7)


class BoardState(StrEnum):
    NEAR_CAP = "near_cap"
    ON_BREAK = "on_break"
    SUPPORT_REQUESTED = "support_requested"


@dataclass(frozen=True)
class CapUse:
    """How much of one level's daily cap today's exposure uses (a level counts the more severe minutes)."""

    severity: ContentSeverity
    minutes: float
    cap_minutes: int
    share: float


def most_used_cap(policy: ExposurePolicy, exposure_today_by_severity: Mapping[str, float]) -> CapUse | None:
    """The capped level whose cap today's exposure uses most (the one a contributor reaches first), or
    None without harmful exposure today. A cap of 0 with minutes on it counts as fully used."""
    exposure = {_parse_severity(k): float(v) for k, v in exposure_today_by_severity.items()}
    best: CapUse | None = None
    for i, level in enumerate(CAPPED_SEVERITIES):
        minutes = sum(exposure.get(s, 0.0) for s in CAPPED_SEVERITIES[i:])
        if minutes <= 0:
            continue
        cap = policy.daily_cap_minutes[level]
        share = minutes / cap if cap else 1.0
        if best is None or share > best.share:
            best = CapUse(severity=level, minutes=minutes, cap_minutes=cap, share=share)
    return best


def support_requested_at(
    latest_check_in_at: datetime | None, *, wants_support: bool, now: datetime
) -> datetime | None:
    """When the person asked for support, if their latest check-in did so within the support window."""
    if latest_check_in_at is None or not wants_support:
        return None
    at = ensure_aware(latest_check_in_at, "latest_check_in_at")
    return at if ensure_aware(now, "now") - at <= SUPPORT_REQUEST_WINDOW else None


def board_states(
    *,
    cap_use: CapUse | None,
    break_ends_at: datetime | None,
    support_requested_at: datetime | None,
    near_cap_share: float = NEAR_CAP_SHARE,
) -> frozenset[BoardState]:
    """What puts a contributor on the wellness board; an empty set means they are fine."""
    states = set()
    if cap_use is not None and cap_use.share >= near_cap_share:
        states.add(BoardState.NEAR_CAP)
    if break_ends_at is not None:
        states.add(BoardState.ON_BREAK)
    if support_requested_at is not None:
        states.add(BoardState.SUPPORT_REQUESTED)
    return frozenset(states)
