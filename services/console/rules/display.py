"""How values read on a page: times in the viewer's time zone, money with its currency, SLA countdowns."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def viewer_zone(name: str | None, *, default: str) -> ZoneInfo:
    """The browser's IANA zone when it sent a valid one, else the console's default."""
    for candidate in (name, default, "UTC"):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def local_time(value: str | datetime | None, zone: ZoneInfo) -> str:
    """`2026-12-07 09:30 CET`: the zone's abbreviation says which clock the reader is looking at."""
    moment = parse_time(value)
    if moment is None:
        return ""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def seconds_until(value: str | datetime | None, *, now: datetime) -> int | None:
    moment = parse_time(value)
    return None if moment is None else int((moment - now).total_seconds())


def countdown(seconds: int | None) -> str:
    """`in 3h 05m` or `12m overdue` — the same words console.js keeps ticking in the browser."""
    if seconds is None:
        return ""
    magnitude = abs(seconds)
    hours, minutes = magnitude // 3600, (magnitude % 3600) // 60
    text = f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"
    return f"{text} overdue" if seconds < 0 else f"in {text}"


def money(amount: str | Decimal | None, currency: str | None = None) -> str:
    if amount is None:
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    text = f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


def percent(ratio: float | str | Decimal | None) -> str:
    """A ratio (0.953, or the API's decimal text "0.9530") as `95.3%`."""
    if ratio is None:
        return ""
    try:
        return f"{float(ratio) * 100:.1f}%"
    except ValueError:
        return str(ratio)


def utc_from_local(value: str, zone: ZoneInfo) -> str | None:
    """A `datetime-local` input (no offset: the viewer's wall clock) as UTC ISO 8601, or None if empty."""
    if not value.strip():
        return None
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC).isoformat()


def local_input(value: str | datetime | None, zone: ZoneInfo) -> str:
    """A time as a `datetime-local` input shows it on the viewer's clock (`2026-12-07T09:30`), or ""."""
    moment = parse_time(value)
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if moment else ""
