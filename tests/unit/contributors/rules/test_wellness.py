"""Wellness: daily exposure caps, opt-out, local day boundaries and continuous-exposure breaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.contributors.rules.wellness import (
    DEFAULT_EXPOSURE_POLICY,
    ContentSeverity,
    ExposurePolicy,
    ExposurePolicyOverride,
    ExposureSession,
    break_ends_at,
    break_required,
    continuous_exposure_minutes,
    exposure_today_by_severity,
    local_day_bounds,
    merge_policy,
    minutes_remaining_today,
)

# caps low 360 / medium 240 / high 120; continuous limit 60, break 15
POLICY = ExposurePolicy(
    daily_cap_minutes={"low": 360, "medium": 240, "high": 120}, continuous_limit_minutes=60, break_minutes=15
)


def at(hour: int, minute: int = 0, *, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def session(start: datetime, end: datetime, severity: str = "high") -> ExposureSession:
    return ExposureSession(started_at=start, ended_at=end, severity=severity)


# --- policy --------------------------------------------------------------------------------------


def test_default_policy_values() -> None:
    assert (dict(DEFAULT_EXPOSURE_POLICY.daily_cap_minutes), DEFAULT_EXPOSURE_POLICY.break_minutes) == (
        {"low": 480, "medium": 240, "high": 120},
        15,
    )


def test_vendor_override_merges_over_the_global_policy() -> None:
    override = ExposurePolicyOverride(daily_cap_minutes={"high": 60}, break_minutes=20)
    merged = merge_policy(POLICY, override)
    assert (dict(merged.daily_cap_minutes), merged.continuous_limit_minutes, merged.break_minutes) == (
        {"low": 360, "medium": 240, "high": 60},
        60,
        20,
    )


def test_no_override_keeps_the_global_policy() -> None:
    assert merge_policy(POLICY, None) is POLICY


def test_override_with_an_invalid_cap_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        merge_policy(POLICY, ExposurePolicyOverride(daily_cap_minutes={"medium": -5}))


def test_policy_needs_every_capped_severity() -> None:
    with pytest.raises(ValueError, match="low, medium and high"):
        ExposurePolicy(daily_cap_minutes={"low": 1, "high": 1}, continuous_limit_minutes=60, break_minutes=15)


def test_policy_cannot_cap_severity_none() -> None:
    with pytest.raises(ValueError, match="low, medium and high"):
        ExposurePolicy(
            daily_cap_minutes={"none": 1, "low": 1, "medium": 1, "high": 1},
            continuous_limit_minutes=60,
            break_minutes=15,
        )


def test_policy_needs_a_positive_break() -> None:
    with pytest.raises(ValueError, match="positive"):
        merge_policy(POLICY, ExposurePolicyOverride(break_minutes=0))


# --- minutes remaining ---------------------------------------------------------------------------


@pytest.mark.parametrize(("severity", "expected"), [("low", 360.0), ("medium", 240.0), ("high", 120.0)])
def test_full_allowance_with_no_exposure(severity: str, expected: float) -> None:
    assert minutes_remaining_today(POLICY, {}, severity) == expected


@pytest.mark.parametrize(("severity", "expected"), [("high", 20.0), ("medium", 140.0), ("low", 260.0)])
def test_high_exposure_uses_up_the_less_severe_allowances_too(severity: str, expected: float) -> None:
    # given 100 min of high: high 120-100, medium 240-100, low 360-100
    assert minutes_remaining_today(POLICY, {"high": 100}, severity) == expected


def test_low_cap_bounds_total_harmful_exposure() -> None:
    # given 300 low + 50 medium: medium's own cap leaves 190 but the low cap (360 - 350) leaves 10
    assert minutes_remaining_today(POLICY, {"low": 300, "medium": 50}, "medium") == 10.0


def test_remaining_never_goes_negative() -> None:
    assert minutes_remaining_today(POLICY, {"high": 150}, "high") == 0.0


def test_severity_none_is_never_capped() -> None:
    assert minutes_remaining_today(POLICY, {"low": 10_000}, "none") is None


def test_minutes_on_severity_none_content_do_not_count() -> None:
    assert minutes_remaining_today(POLICY, {"none": 500}, "low") == 360.0


@pytest.mark.parametrize("severity", ["medium", "high"])
def test_opt_out_leaves_nothing_for_harmful_severities(severity: str) -> None:
    assert minutes_remaining_today(POLICY, {}, severity, opted_out_of_harmful=True) == 0.0


def test_opt_out_keeps_the_low_allowance() -> None:
    assert minutes_remaining_today(POLICY, {"low": 60}, "low", opted_out_of_harmful=True) == 300.0


def test_opt_out_does_not_cap_severity_none() -> None:
    assert minutes_remaining_today(POLICY, {}, "none", opted_out_of_harmful=True) is None


def test_negative_exposure_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        minutes_remaining_today(POLICY, {"low": -1}, "low")


def test_unknown_severity_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown content severity 'extreme'"):
        minutes_remaining_today(POLICY, {}, "extreme")


# --- local day -----------------------------------------------------------------------------------


def test_local_day_in_manila_starts_at_16_utc_the_day_before() -> None:
    # given 20:00Z = 04:00 on 3 March in Manila (UTC+8)
    assert local_day_bounds(at(20), "Asia/Manila") == (at(16), at(16, day=3))


def test_local_day_on_dst_start_in_new_york_lasts_23_hours() -> None:
    # 8 March 2026: midnight EST is 05:00Z, next midnight (EDT) is 04:00Z
    start, end = local_day_bounds(at(12, day=8), "America/New_York")
    assert (start, end, end - start) == (at(5, day=8), at(4, day=9), timedelta(hours=23))


def test_local_day_rejects_an_invalid_zone() -> None:
    with pytest.raises(ValueError, match="not a location"):
        local_day_bounds(at(12), "localtime")


def test_exposure_today_counts_from_local_midnight_and_clips_at_now() -> None:
    # given Manila, now 20:00Z (local day began 16:00Z)
    sessions = [
        session(at(15, 30), at(16, 30), "high"),  # 30 min after local midnight
        session(at(17), at(17, 45), "medium"),  # 45 min
        session(at(19, 50), at(20, 30), "high"),  # 10 min up to now
        session(at(10), at(11), "low"),  # yesterday, local time
    ]
    totals = exposure_today_by_severity(sessions, now=at(20), timezone="Asia/Manila")
    assert totals == {"none": 0.0, "low": 0.0, "medium": 45.0, "high": 40.0}


# --- continuous exposure and breaks --------------------------------------------------------------


def test_sessions_closer_than_a_break_add_up_to_a_required_break() -> None:
    sessions = [session(at(10), at(10, 30)), session(at(10, 35), at(11, 5), "medium")]
    assert (
        continuous_exposure_minutes(POLICY, sessions, at(11, 10)),
        break_required(POLICY, sessions, at(11, 10)),
    ) == (
        60.0,
        True,
    )


def test_required_break_ends_one_break_length_after_the_last_exposure() -> None:
    sessions = [session(at(10), at(10, 30)), session(at(10, 35), at(11, 5))]
    assert break_ends_at(POLICY, sessions, at(11, 10)) == at(11, 20)


def test_break_is_no_longer_required_once_it_has_been_taken() -> None:
    sessions = [session(at(10), at(10, 30)), session(at(10, 35), at(11, 5))]
    assert (break_required(POLICY, sessions, at(11, 20)), break_ends_at(POLICY, sessions, at(11, 20))) == (
        False,
        None,
    )


def test_a_gap_of_exactly_the_break_length_starts_a_new_stretch() -> None:
    sessions = [session(at(10), at(10, 30)), session(at(10, 45), at(11, 15))]
    assert continuous_exposure_minutes(POLICY, sessions, at(11, 15)) == 30.0


def test_only_the_stretch_since_the_last_break_counts() -> None:
    # 09:00-09:30, 20-min break, then 09:50-10:20 and 10:25-10:55 form 60 continuous minutes
    sessions = [session(at(9), at(9, 30)), session(at(9, 50), at(10, 20)), session(at(10, 25), at(10, 55))]
    assert (break_required(POLICY, sessions, at(10, 56)), break_ends_at(POLICY, sessions, at(10, 56))) == (
        True,
        at(11, 10),
    )


def test_just_under_the_limit_needs_no_break() -> None:
    sessions = [session(at(10), at(10, 59))]
    assert break_required(POLICY, sessions, at(10, 59)) is False


def test_overlapping_sessions_count_once() -> None:
    sessions = [session(at(10), at(10, 40)), session(at(10, 20), at(11), "low")]
    assert continuous_exposure_minutes(POLICY, sessions, at(11)) == 60.0


def test_session_input_order_does_not_matter() -> None:
    sessions = [session(at(10, 35), at(11, 5)), session(at(10), at(10, 30))]
    assert continuous_exposure_minutes(POLICY, sessions, at(11, 10)) == 60.0


def test_ongoing_session_is_counted_up_to_now() -> None:
    assert continuous_exposure_minutes(POLICY, [session(at(10), at(12))], at(10, 50)) == 50.0


def test_session_starting_after_now_is_ignored() -> None:
    assert continuous_exposure_minutes(POLICY, [session(at(11), at(12))], at(10, 50)) == 0.0


def test_severity_none_work_is_a_break_from_harmful_content() -> None:
    sessions = [session(at(10), at(10, 50)), session(at(10, 50), at(11, 10), "none")]
    assert break_required(POLICY, sessions, at(11, 10)) is False


def test_no_sessions_means_no_break() -> None:
    assert (continuous_exposure_minutes(POLICY, [], at(12)), break_ends_at(POLICY, [], at(12))) == (0.0, None)


def test_break_length_comes_from_the_merged_policy() -> None:
    longer_break = merge_policy(POLICY, ExposurePolicyOverride(break_minutes=30))
    sessions = [session(at(10), at(10, 30)), session(at(10, 50), at(11, 20))]
    # a 20-min gap is a break under the 15-min default but not under a 30-min override
    assert (
        break_required(POLICY, sessions, at(11, 21)),
        break_required(longer_break, sessions, at(11, 21)),
    ) == (
        False,
        True,
    )


def test_session_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="cannot end before it starts"):
        session(at(11), at(10))


def test_session_rejects_naive_times() -> None:
    with pytest.raises(ValueError, match="started_at must be timezone-aware"):
        ExposureSession(started_at=datetime(2026, 3, 2, 10), ended_at=at(11), severity="low")


def test_session_severity_is_normalised_to_enum() -> None:
    assert session(at(10), at(11), "medium").severity is ContentSeverity.MEDIUM


# --- exposure per local day ---------------------------------------------------------------------------


def test_exposure_by_local_day_splits_a_session_across_the_contributors_midnight() -> None:
    from datetime import date

    from services.contributors.rules.wellness import exposure_by_local_day

    # Manila is UTC+8: 15:30–16:30 UTC is 23:30–00:30 local, half on each day.
    sessions = [session(at(15, 30), at(16, 30), "medium")]

    days = exposure_by_local_day(
        sessions, days=[date(2026, 3, 3), date(2026, 3, 2)], timezone="Asia/Manila", now=at(23)
    )

    assert days[date(2026, 3, 2)][ContentSeverity.MEDIUM] == 30.0
    assert days[date(2026, 3, 3)][ContentSeverity.MEDIUM] == 30.0


def test_exposure_by_local_day_stops_at_now() -> None:
    from datetime import date

    from services.contributors.rules.wellness import exposure_by_local_day

    days = exposure_by_local_day(
        [session(at(10), at(12), "low")], days=[date(2026, 3, 2)], timezone="UTC", now=at(11)
    )

    assert days[date(2026, 3, 2)][ContentSeverity.LOW] == 60.0
