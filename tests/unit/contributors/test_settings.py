"""Contributors settings: wellness defaults, the ticket SLA override, the erasure key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from services.contributors.settings import ContributorsSettings


def test_the_global_wellness_policy_defaults_to_the_contract():
    policy = ContributorsSettings().exposure_policy()

    assert {k.value: v for k, v in policy.daily_cap_minutes.items()} == {
        "low": 480,
        "medium": 240,
        "high": 120,
    }
    assert (policy.continuous_limit_minutes, policy.break_minutes) == (60, 15)


def test_the_ticket_sla_is_overridden_per_priority_from_json(monkeypatch):
    monkeypatch.setenv(
        "LABELOPS_CONTRIBUTORS_TICKET_SLA", '{"P1": {"first_response": "PT30M", "resolution": 7200}}'
    )

    policy = ContributorsSettings().sla_policy()

    assert policy["P1"].first_response == timedelta(minutes=30) and policy["P1"].resolution == timedelta(
        hours=2
    )
    assert set(policy) == {"P1"}


def test_an_inconsistent_sla_is_refused_at_start(monkeypatch):
    monkeypatch.setenv(
        "LABELOPS_CONTRIBUTORS_TICKET_SLA", '{"P2": {"first_response": "PT5H", "resolution": "PT1H"}}'
    )

    with pytest.raises(ValidationError, match="cannot be longer"):
        ContributorsSettings()


def test_the_erasure_key_is_derived_from_the_internal_secret_unless_set(monkeypatch):
    monkeypatch.setenv("LABELOPS_INTERNAL_TOKEN_SECRET", "i" * 40)
    derived = ContributorsSettings().erasure_key()
    monkeypatch.setenv("LABELOPS_CONTRIBUTORS_ERASURE_SECRET", "e" * 40)

    assert derived != b"i" * 40 and len(derived) >= 32
    assert ContributorsSettings().erasure_key() == b"e" * 40


def test_a_short_erasure_secret_is_refused(monkeypatch):
    monkeypatch.setenv("LABELOPS_CONTRIBUTORS_ERASURE_SECRET", "short")

    with pytest.raises(ValidationError, match="at least 32"):
        ContributorsSettings()
