"""Datetimes the rules accept: timezone-aware only, compared in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def ensure_aware(value: datetime, name: str) -> datetime:
    """Return the datetime converted to UTC if it carries a time zone, else raise ValueError."""
    # A naive datetime is ambiguous across services and replicas; guessing its zone hides bugs.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got a naive datetime")
    return value.astimezone(UTC)
