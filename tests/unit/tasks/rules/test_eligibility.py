"""Eligibility of a contributor for a project (vetted staff only included), and the wellness caps of their
local day."""

from __future__ import annotations

from datetime import UTC, datetime

from services.tasks.rules.eligibility import (
    ProfileFacts,
    ProjectRules,
    ineligibility,
    is_vetted,
    local_day,
    local_day_start,
    wellness_minutes_left,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _profile(**kw) -> ProfileFacts:
    base = dict(
        status="active",
        vendor_id=None,
        languages=[{"code": "en", "proficiency": "native"}],
        skills=["audio"],
        qualifications=[],
        daily_caps_minutes={"low": 480, "medium": 240, "high": 120},
        opted_out_harmful=False,
        timezone="UTC",
        erased=False,
    )
    return ProfileFacts(**(base | kw))


def _rules(**kw) -> ProjectRules:
    base = dict(
        required_languages=[],
        required_skills=[],
        required_qualification=None,
        required_qualification_score=None,
        content_severity="none",
    )
    return ProjectRules(**(base | kw))


def test_an_active_contributor_with_everything_is_eligible():
    assert (
        ineligibility(_profile(), _rules(required_languages=["EN"], required_skills=["audio"]), now=NOW)
        is None
    )


def test_a_missing_skill_makes_a_contributor_ineligible():
    assert "skills" in ineligibility(_profile(), _rules(required_skills=["video"]), now=NOW)


def test_a_qualification_below_the_minimum_score_does_not_count():
    quals = [{"name": "q", "score": 50, "passed": True, "expires_at": None}]
    rules = _rules(required_qualification="q", required_qualification_score=70)
    assert ineligibility(_profile(qualifications=quals), rules, now=NOW) is not None


def test_an_unexpired_passed_qualification_counts():
    quals = [{"name": "q", "score": 90, "passed": True, "expires_at": "2027-01-01T00:00:00Z"}]
    assert ineligibility(_profile(qualifications=quals), _rules(required_qualification="q"), now=NOW) is None


def test_opted_out_contributors_get_no_high_severity_work():
    assert ineligibility(_profile(opted_out_harmful=True), _rules(content_severity="high"), now=NOW)


def test_opted_out_contributors_still_get_low_severity_work():
    assert ineligibility(_profile(opted_out_harmful=True), _rules(content_severity="low"), now=NOW) is None


def test_the_local_day_follows_the_contributors_timezone():
    assert local_day(datetime(2026, 11, 23, 23, 30, tzinfo=UTC), "Asia/Tokyo") == "2026-11-24"


def test_no_severity_is_never_capped():
    assert wellness_minutes_left({"high": 1}, "none", 10**6) is None


def test_minutes_left_subtract_todays_exposure():
    assert wellness_minutes_left({"high": 120}, "high", 3600) == 60


def test_the_local_day_starts_at_the_contributors_midnight():
    # 20:30 UTC on 3 Dec is 05:30 on 4 Dec in Tokyo (UTC+9): that day began at 15:00 UTC on 3 Dec.
    now = datetime(2026, 12, 3, 20, 30, tzinfo=UTC)

    assert local_day_start(now, "Asia/Tokyo") == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    assert local_day_start(now, "Not/AZone") == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)


# The vetted-staff-only rule: vendor staff whose vetting has not lapsed, nobody else.
VETTING_NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
VETTED = {"expires_at": "2027-06-01T00:00:00Z"}


def _staff(**kw) -> ProfileFacts:
    return _profile(**({"vendor_id": 7, "vetting": VETTED} | kw))


def _vetted_only(**kw) -> ProjectRules:
    return _rules(**({"content_severity": "high", "vetted_staff_only": True} | kw))


def test_vetted_vendor_staff_are_eligible():
    assert ineligibility(_staff(), _vetted_only(), now=VETTING_NOW) is None


def test_a_vetting_without_expiry_counts_until_revoked():
    assert ineligibility(_staff(vetting={"expires_at": None}), _vetted_only(), now=VETTING_NOW) is None


def test_a_vetted_crowd_contributor_is_not_eligible():
    reason = ineligibility(_staff(vendor_id=None), _vetted_only(), now=VETTING_NOW)

    assert reason is not None and "vendor staff" in reason


def test_an_expired_vetting_does_not_count():
    reason = ineligibility(
        _staff(vetting={"expires_at": "2026-12-03T11:59:59Z"}), _vetted_only(), now=VETTING_NOW
    )

    assert reason is not None and "vetting" in reason


def test_a_vetting_expiring_right_now_has_lapsed():
    assert (
        ineligibility(
            _staff(vetting={"expires_at": VETTING_NOW.isoformat()}), _vetted_only(), now=VETTING_NOW
        )
        is not None
    )


def test_unvetted_vendor_staff_are_not_eligible():
    assert ineligibility(_staff(vetting=None), _vetted_only(), now=VETTING_NOW) is not None


def test_a_project_without_the_setting_takes_unvetted_crowd():
    rules = _vetted_only(vetted_staff_only=False)

    assert ineligibility(_staff(vendor_id=None, vetting=None), rules, now=VETTING_NOW) is None


def test_the_setting_defaults_off_and_profiles_default_unvetted():
    """The hot path may build both without the new fields: nothing changes for existing projects."""
    profile = ProfileFacts(
        status="active",
        vendor_id=None,
        languages=[],
        skills=[],
        qualifications=[],
        daily_caps_minutes={},
        opted_out_harmful=False,
        timezone="UTC",
        erased=False,
    )
    rules = ProjectRules(
        required_languages=[],
        required_skills=[],
        required_qualification=None,
        required_qualification_score=None,
        content_severity="high",
    )

    assert (profile.vetting, rules.vetted_staff_only) == (None, False)
    assert ineligibility(profile, rules, now=VETTING_NOW) is None


def test_an_unreadable_or_naive_expiry_counts_as_lapsed():
    assert not is_vetted({"expires_at": "soon"}, now=VETTING_NOW)
    assert not is_vetted({"expires_at": "2030-01-01T00:00:00"}, now=VETTING_NOW)
