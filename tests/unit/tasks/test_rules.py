"""Pure rules of the tasks service: label schemas, eligibility, wellness, imports, lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.tasks.rules.eligibility import (
    ProfileFacts,
    ProjectRules,
    ineligibility,
    local_day,
    local_day_start,
    wellness_minutes_left,
)
from services.tasks.rules.importing import UnreadableImport, parse_import
from services.tasks.rules.label_schema import answer_errors, schema_errors
from services.tasks.rules.transitions import allowed_targets, review_sampled

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CHOICES = {"type": "choices", "choices": ["a", "b"], "multiple": False}


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


def test_a_text_schema_with_a_huge_max_length_is_refused():
    assert schema_errors({"type": "text", "max_length": 10**9})[0]["pointer"] == "/label_schema/max_length"


def test_an_unknown_schema_type_is_refused():
    assert schema_errors({"type": "polygon"})[0]["pointer"] == "/label_schema/type"


def test_a_single_choice_answer_must_be_one_of_the_choices():
    assert answer_errors(CHOICES, "c") and not answer_errors(CHOICES, "a")


def test_a_multiple_choice_answer_is_a_list_of_distinct_choices():
    schema = CHOICES | {"multiple": True}
    assert answer_errors(schema, ["a", "a"]) and not answer_errors(schema, ["a", "b"])


def test_a_text_answer_is_bounded():
    assert answer_errors({"type": "text", "max_length": 3}, "abcd")


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


def test_a_csv_import_needs_a_header():
    with pytest.raises(UnreadableImport):
        parse_import(b"", "text/csv")


def test_a_bad_priority_is_a_row_error():
    parsed = parse_import(b'[{"data": {"x": 1}, "priority": "high"}]', "application/json")
    assert (len(parsed.tasks), parsed.errors[0]["row"]) == (0, 1)


def test_a_naive_due_date_is_a_row_error():
    parsed = parse_import(b'[{"data": {"x": 1}, "due_at": "2030-01-01T00:00:00"}]', "application/json")
    assert parsed.rejected == 1


def test_archived_is_terminal():
    assert allowed_targets("archived") == []


def test_review_sampling_takes_about_the_ratio():
    share = sum(review_sampled(i, 0.25) for i in range(1, 10_001)) / 10_000
    assert 0.22 < share < 0.28


def test_the_local_day_starts_at_the_contributors_midnight():
    # 20:30 UTC on 3 Dec is 05:30 on 4 Dec in Tokyo (UTC+9): that day began at 15:00 UTC on 3 Dec.
    now = datetime(2026, 12, 3, 20, 30, tzinfo=UTC)

    assert local_day_start(now, "Asia/Tokyo") == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    assert local_day_start(now, "Not/AZone") == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
