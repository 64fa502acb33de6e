"""A person's calendar day in their own time zone (wellness caps and daily quotas count per local day).

The same two functions exist in SQL, so a statement can ask for a contributor's day without a round
trip: on PostgreSQL as functions created by the service's migration (`local_day`, `local_day_start`),
on SQLite registered on every connection by shared.db from the Python below. A zone name neither knows
counts as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# How SQLAlchemy stores a datetime on SQLite (naive UTC); the SQL functions read and write it.
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(now: datetime, timezone: str) -> str:
    """The calendar day at `now` in `timezone`, as YYYY-MM-DD."""
    return now.astimezone(zone_of(timezone)).date().isoformat()


def local_day_start(now: datetime, timezone: str) -> datetime:
    """The instant the current calendar day in `timezone` began."""
    local = now.astimezone(zone_of(timezone))
    return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)


def seconds_to_local_midnight(now: datetime, timezone: str) -> int:
    local = now.astimezone(zone_of(timezone))
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return max(int((midnight - local).total_seconds()), 1)


def _sqlite_instant(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def sqlite_local_day(timezone: str | None, at: str | None) -> str | None:
    """`local_day(timezone, at)` in SQLite SQL."""
    return None if at is None else local_day(_sqlite_instant(at), timezone or "UTC")


def sqlite_local_day_start(timezone: str | None, at: str | None) -> str | None:
    """`local_day_start(timezone, at)` in SQLite SQL, in SQLAlchemy's storage format."""
    if at is None:
        return None
    return local_day_start(_sqlite_instant(at), timezone or "UTC").astimezone(UTC).strftime(SQLITE_TIME)
