"""One time window for the whole API: [since, until), checked once, errors naming the field."""

from datetime import UTC, datetime, timedelta

import pytest

from shared.errors import Unprocessable
from shared.windows import check_open_window, checked_window

MARCH = datetime(2026, 3, 1, tzinfo=UTC)


def test_a_window_has_no_length_limit_unless_one_is_asked_for():
    two_years = checked_window(MARCH, MARCH + timedelta(days=730))

    assert two_years.hours == 730 * 24
    with pytest.raises(Unprocessable) as raised:
        checked_window(MARCH, MARCH + timedelta(days=8), longest=timedelta(days=7))
    assert [e["field"] for e in raised.value.errors] == ["since"]


def test_a_reversed_window_names_since():
    with pytest.raises(Unprocessable) as raised:
        checked_window(MARCH, MARCH - timedelta(seconds=1))

    assert raised.value.errors[0] | {"detail": "…"} == {
        "pointer": "/since", "field": "since", "in": "query", "detail": "…"
    }  # fmt: skip


@pytest.mark.parametrize(("since", "until"), [(None, None), (MARCH, None), (None, MARCH)])
def test_a_filter_open_at_either_end_is_not_checked(since, until):
    check_open_window(since, until)


def test_a_filter_closed_at_both_ends_is_checked_as_a_window():
    with pytest.raises(Unprocessable):
        check_open_window(MARCH, MARCH)
