"""The vetted-staff-only rule of eligibility: vendor staff whose vetting has not lapsed, nobody else."""

from __future__ import annotations

from datetime import UTC, datetime

from services.tasks.rules.eligibility import ProfileFacts, ProjectRules, ineligibility, is_vetted

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
VETTED = {"expires_at": "2027-06-01T00:00:00Z"}


def _profile(**kw) -> ProfileFacts:
    base = dict(
        status="active",
        vendor_id=7,
        languages=[{"code": "en", "proficiency": "native"}],
        skills=[],
        qualifications=[],
        daily_caps_minutes={"low": 480, "medium": 240, "high": 120},
        opted_out_harmful=False,
        timezone="UTC",
        erased=False,
        vetting=VETTED,
    )
    return ProfileFacts(**(base | kw))


def _rules(**kw) -> ProjectRules:
    base = dict(
        required_languages=[],
        required_skills=[],
        required_qualification=None,
        required_qualification_score=None,
        content_severity="high",
        vetted_staff_only=True,
    )
    return ProjectRules(**(base | kw))


def test_vetted_vendor_staff_are_eligible():
    assert ineligibility(_profile(), _rules(), now=NOW) is None


def test_a_vetting_without_expiry_counts_until_revoked():
    assert ineligibility(_profile(vetting={"expires_at": None}), _rules(), now=NOW) is None


def test_a_vetted_crowd_contributor_is_not_eligible():
    reason = ineligibility(_profile(vendor_id=None), _rules(), now=NOW)

    assert reason is not None and "vendor staff" in reason


def test_an_expired_vetting_does_not_count():
    reason = ineligibility(_profile(vetting={"expires_at": "2026-12-03T11:59:59Z"}), _rules(), now=NOW)

    assert reason is not None and "vetting" in reason


def test_a_vetting_expiring_right_now_has_lapsed():
    assert ineligibility(_profile(vetting={"expires_at": NOW.isoformat()}), _rules(), now=NOW) is not None


def test_unvetted_vendor_staff_are_not_eligible():
    assert ineligibility(_profile(vetting=None), _rules(), now=NOW) is not None


def test_a_project_without_the_setting_takes_unvetted_crowd():
    rules = _rules(vetted_staff_only=False)

    assert ineligibility(_profile(vendor_id=None, vetting=None), rules, now=NOW) is None


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
    assert ineligibility(profile, rules, now=NOW) is None


def test_an_unreadable_or_naive_expiry_counts_as_lapsed():
    assert not is_vetted({"expires_at": "soon"}, now=NOW)
    assert not is_vetted({"expires_at": "2030-01-01T00:00:00"}, now=NOW)
