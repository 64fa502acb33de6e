"""The report window every service and the gateway agree on: UTC, ordered, bounded, errors naming the field."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.errors import Unprocessable
from shared.reports import MAX_WINDOW, checked_window, ratio


def test_a_window_is_read_in_utc():
    manila = timezone(timedelta(hours=8))

    window = checked_window(datetime(2026, 3, 1, 8, tzinfo=manila), datetime(2026, 3, 1, 16, tzinfo=manila))

    assert (window.since, window.until) == (
        datetime(2026, 3, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 8, tzinfo=UTC),
    )
    assert window.hours == 8


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
        (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
        (
            datetime(2026, 3, 1, tzinfo=UTC),
            datetime(2026, 3, 1, tzinfo=UTC) + MAX_WINDOW + timedelta(seconds=1),
        ),
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), datetime(2026, 3, 1, tzinfo=UTC)),
    ],
)
def test_reversed_empty_overlong_or_unrepresentable_windows_name_since(since, until):
    with pytest.raises(Unprocessable) as raised:
        checked_window(since, until)

    assert [e["field"] for e in raised.value.errors] == ["since"]


def test_a_ratio_of_nothing_is_unknown_not_zero():
    assert ratio(3, 4) == 0.75 and ratio(0, 4) == 0 and ratio(0, 0) is None
