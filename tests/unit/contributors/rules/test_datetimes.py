"""Aware-datetime validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.contributors.rules.datetimes import ensure_aware


def test_ensure_aware_converts_to_utc() -> None:
    manila = timezone(timedelta(hours=8))
    assert ensure_aware(datetime(2026, 3, 1, 8, 0, tzinfo=manila), "at") == datetime(
        2026, 3, 1, 0, 0, tzinfo=UTC
    )


def test_ensure_aware_rejects_naive_datetime_naming_the_field() -> None:
    with pytest.raises(ValueError, match="created_at must be timezone-aware"):
        ensure_aware(datetime(2026, 3, 1, 8, 0), "created_at")
