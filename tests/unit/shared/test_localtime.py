"""A contributor's local day, in Python and as SQLite's SQL functions see it."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.localtime import (
    local_day,
    local_day_start,
    seconds_to_local_midnight,
    sqlite_local_day,
    sqlite_local_day_start,
)


def test_the_local_day_follows_the_timezone():
    assert local_day(datetime(2026, 11, 23, 23, 30, tzinfo=UTC), "Asia/Tokyo") == "2026-11-24"


def test_the_local_day_starts_at_local_midnight_and_an_unknown_zone_is_utc():
    # 20:30 UTC on 3 Dec is 05:30 on 4 Dec in Tokyo (UTC+9): that day began at 15:00 UTC on 3 Dec.
    now = datetime(2026, 12, 3, 20, 30, tzinfo=UTC)

    assert local_day_start(now, "Asia/Tokyo") == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    assert local_day_start(now, "Not/AZone") == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)


def test_local_midnight_is_counted_in_seconds_and_never_zero():
    now = datetime(2026, 12, 3, 14, 59, 30, tzinfo=UTC)  # 23:59:30 in Tokyo

    assert seconds_to_local_midnight(now, "Asia/Tokyo") == 30


def test_the_sqlite_functions_read_and_write_sqlalchemys_storage_format():
    assert sqlite_local_day("Asia/Tokyo", "2026-11-23 23:30:00.000000") == "2026-11-24"
    assert sqlite_local_day_start("Asia/Tokyo", "2026-12-03 20:30:00.000000") == "2026-12-03 15:00:00.000000"
    assert sqlite_local_day_start(None, None) is None
