"""A contributor's eligibility facts as the lease preconditions read them (rules/eligibility.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from services.tasks.rules.eligibility import DEFAULT_DAILY_CAPS, VETTING, Fact, facts_of


def _facts(**kw) -> list[Fact]:
    base = dict(languages=[], skills=[], qualifications=[], daily_caps_minutes={}, vetting=None)
    return facts_of(**(base | kw))


def _of(kind: str, facts: list[Fact]) -> list[Fact]:
    return [f for f in facts if f.kind == kind]


def test_languages_are_kept_by_code_without_case():
    facts = _facts(languages=[{"code": "EN", "proficiency": "native"}, {"code": "de"}, {"name": "no code"}])

    assert [f.value for f in _of("language", facts)] == ["de", "en"]


def test_skills_are_kept_as_sent():
    assert [f.value for f in _of("skill", _facts(skills=["Audio", "video", ""]))] == ["Audio", "video"]


def test_only_passed_qualifications_are_kept_with_score_and_expiry():
    facts = _facts(
        qualifications=[
            {"name": "medical", "score": 91, "passed": True, "expires_at": "2027-01-01T00:00:00Z"},
            {"name": "legal", "score": 40, "passed": False, "expires_at": None},
            {"name": "audio", "passed": True},
        ]
    )

    assert _of("qualification", facts) == [
        Fact("qualification", "audio", 0.0, None),
        Fact("qualification", "medical", 91.0, datetime(2027, 1, 1, tzinfo=UTC)),
    ]


def test_an_unreadable_or_naive_expiry_is_never_valid():
    facts = _facts(
        qualifications=[
            {"name": "a", "passed": True, "expires_at": "soon"},
            {"name": "b", "passed": True, "expires_at": "2030-01-01T00:00:00"},
        ],
        vetting={"expires_at": "2030-01-01T00:00:00"},
    )

    assert _of("qualification", facts) == [] and _of("vetting", facts) == []


def test_a_vetting_without_expiry_counts_until_revoked():
    assert _of("vetting", _facts(vetting={"expires_at": None})) == [Fact("vetting", VETTING)]


def test_no_vetting_is_no_fact():
    assert _of("vetting", _facts(vetting=None)) == []


def test_every_severity_has_a_daily_cap_defaults_included():
    caps = {f.value: f.amount for f in _of("daily_cap_minutes", _facts(daily_caps_minutes={"high": 30}))}

    assert caps == {**{k: float(v) for k, v in DEFAULT_DAILY_CAPS.items()}, "high": 30.0}


def test_a_required_break_is_kept_until_it_ends():
    facts = _facts(break_ends_at="2026-12-07T10:15:00Z")

    assert _of("wellness_break", facts) == [
        Fact("wellness_break", "required", expires_at=datetime(2026, 12, 7, 10, 15, tzinfo=UTC))
    ]
    assert _of("wellness_break", _facts(break_ends_at=None)) == []
