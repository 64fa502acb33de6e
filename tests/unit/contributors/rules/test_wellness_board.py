"""The wellness board's rules: the cap a person is closest to, who asked for support lately, the states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.contributors.rules.wellness import (
    NEAR_CAP_SHARE,
    SUPPORT_REQUEST_WINDOW,
    BoardState,
    CapUse,
    ContentSeverity,
    ExposurePolicy,
    board_states,
    most_used_cap,
    support_requested_at,
)

POLICY = ExposurePolicy(
    daily_cap_minutes={"low": 480, "medium": 240, "high": 120}, continuous_limit_minutes=60, break_minutes=15
)
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_no_harmful_minutes_use_no_cap():
    assert most_used_cap(POLICY, {"none": 300.0, "low": 0.0, "medium": 0.0, "high": 0.0}) is None


def test_the_cap_used_most_is_the_one_reached_first():
    # high 100/120 = 0.83; medium counts medium and high: 130/240; low counts all three: 160/480.
    use = most_used_cap(POLICY, {"low": 30.0, "medium": 30.0, "high": 100.0})

    assert (use.severity, use.minutes, use.cap_minutes) == (ContentSeverity.HIGH, 100.0, 120)
    assert use.share == pytest.approx(100 / 120)


def test_a_level_counts_the_more_severe_minutes():
    use = most_used_cap(POLICY, {"low": 0.0, "medium": 200.0, "high": 20.0})

    assert (use.severity, use.minutes) == (ContentSeverity.MEDIUM, 220.0)


def test_minutes_on_a_zero_cap_use_it_whole():
    closed = ExposurePolicy(
        daily_cap_minutes={"low": 480, "medium": 240, "high": 0},
        continuous_limit_minutes=60,
        break_minutes=15,
    )

    assert most_used_cap(closed, {"high": 1.0}).share == 1.0


@pytest.mark.parametrize(
    ("at", "wants", "expected"),
    [
        (NOW - timedelta(hours=1), True, NOW - timedelta(hours=1)),
        (NOW - SUPPORT_REQUEST_WINDOW, True, NOW - SUPPORT_REQUEST_WINDOW),
        (NOW - SUPPORT_REQUEST_WINDOW - timedelta(seconds=1), True, None),
        (NOW - timedelta(hours=1), False, None),
        (None, False, None),
    ],
)
def test_support_is_requested_by_a_latest_check_in_within_the_window(at, wants, expected):
    assert support_requested_at(at, wants_support=wants, now=NOW) == expected


def test_near_the_cap_from_the_threshold_on():
    at_threshold = CapUse(ContentSeverity.HIGH, 96.0, 120, 0.8)
    below = CapUse(ContentSeverity.HIGH, 95.0, 120, 95 / 120)

    assert board_states(cap_use=at_threshold, break_ends_at=None, support_requested_at=None) == {
        BoardState.NEAR_CAP
    }
    assert board_states(cap_use=below, break_ends_at=None, support_requested_at=None) == frozenset()
    assert NEAR_CAP_SHARE == 0.8


def test_every_state_at_once():
    states = board_states(
        cap_use=CapUse(ContentSeverity.LOW, 480.0, 480, 1.0),
        break_ends_at=NOW + timedelta(minutes=10),
        support_requested_at=NOW,
        near_cap_share=0.9,
    )

    assert states == set(BoardState)
