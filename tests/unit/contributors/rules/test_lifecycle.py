"""Contributor status machine and the onboarding steps that gate activation."""

from __future__ import annotations

import itertools

import pytest

from services.contributors.rules.lifecycle import (
    REQUIRED_ONBOARDING_STEPS,
    TERMINAL_STATUSES,
    ContributorStatus,
    InvalidTransition,
    MissingOnboardingSteps,
    OnboardingStep,
    allowed_targets,
    check_transition,
    is_terminal,
    missing_onboarding_steps,
)

ALL_STEPS = [step.value for step in OnboardingStep]
REQUIRED_STEPS = ["guidelines_ack", "nda", "profile_setup", "qualification", "training"]

# Written out by hand from DESIGN.md §3, independently of the module's table.
EXPECTED_ALLOWED = {
    ("applied", "screening"),
    ("applied", "rejected"),
    ("applied", "offboarded"),
    ("screening", "onboarding"),
    ("screening", "suspended"),
    ("screening", "rejected"),
    ("screening", "offboarded"),
    ("onboarding", "active"),
    ("onboarding", "suspended"),
    ("onboarding", "offboarded"),
    ("active", "paused"),
    ("active", "suspended"),
    ("active", "offboarded"),
    ("paused", "active"),
    ("paused", "suspended"),
    ("paused", "offboarded"),
    ("suspended", "active"),
    ("suspended", "offboarded"),
}
ALL_PAIRS = list(itertools.product([s.value for s in ContributorStatus], repeat=2))


@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED_ALLOWED))
def test_allowed_transition_returns_the_target_status(current: str, target: str) -> None:
    assert check_transition(current, target, ALL_STEPS) is ContributorStatus(target)


@pytest.mark.parametrize(("current", "target"), sorted(set(ALL_PAIRS) - EXPECTED_ALLOWED))
def test_every_other_transition_is_refused(current: str, target: str) -> None:
    with pytest.raises(InvalidTransition):
        check_transition(current, target, ALL_STEPS)


def test_refusal_carries_current_target_and_sorted_allowed_targets() -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_transition("applied", "active", ALL_STEPS)
    error = caught.value
    assert (error.current, error.target, error.allowed) == (
        "applied",
        "active",
        ["offboarded", "rejected", "screening"],
    )


def test_refusal_message_lists_the_allowed_targets() -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_transition("suspended", "paused", ALL_STEPS)
    assert str(caught.value) == "cannot move from 'suspended' to 'paused'; allowed: active, offboarded"


def test_refusal_from_a_terminal_status_says_so() -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_transition("offboarded", "active", ALL_STEPS)
    assert caught.value.allowed == []
    assert str(caught.value).endswith("allowed: none (terminal status)")


def test_staying_in_the_same_status_is_not_a_transition() -> None:
    with pytest.raises(InvalidTransition):
        check_transition("active", "active", ALL_STEPS)


def test_rejected_and_offboarded_are_the_terminal_statuses() -> None:
    assert sorted(TERMINAL_STATUSES) == ["offboarded", "rejected"]


def test_is_terminal_for_offboarded_but_not_suspended() -> None:
    assert (is_terminal("offboarded"), is_terminal("suspended")) == (True, False)


def test_allowed_targets_of_screening() -> None:
    assert allowed_targets("screening") == ["offboarded", "onboarding", "rejected", "suspended"]


def test_allowed_targets_are_plain_strings() -> None:
    assert all(type(target) is str for target in allowed_targets("active"))


def test_required_steps_are_all_but_the_platform_tour() -> None:
    assert sorted(REQUIRED_ONBOARDING_STEPS) == REQUIRED_STEPS


def test_activation_without_the_optional_platform_tour_is_allowed() -> None:
    assert check_transition("onboarding", "active", REQUIRED_STEPS) is ContributorStatus.ACTIVE


def test_activation_with_missing_steps_names_them_sorted() -> None:
    with pytest.raises(MissingOnboardingSteps) as caught:
        check_transition("onboarding", "active", ["profile_setup", "platform_tour", "training"])
    assert caught.value.missing == ["guidelines_ack", "nda", "qualification"]


def test_missing_steps_message_lists_them() -> None:
    with pytest.raises(MissingOnboardingSteps) as caught:
        check_transition("onboarding", "active", [s for s in REQUIRED_STEPS if s != "nda"])
    assert str(caught.value) == "cannot activate: required onboarding steps not completed: nda"


def test_activation_from_suspension_also_requires_the_steps() -> None:
    # given someone suspended during screening, who never onboarded
    # when reactivated / then suspended → active cannot skip onboarding
    with pytest.raises(MissingOnboardingSteps):
        check_transition("suspended", "active", [])


def test_resuming_from_pause_with_completed_steps_is_allowed() -> None:
    assert check_transition("paused", "active", REQUIRED_STEPS) is ContributorStatus.ACTIVE


def test_steps_are_not_checked_for_other_targets() -> None:
    assert check_transition("onboarding", "suspended", []) is ContributorStatus.SUSPENDED


def test_invalid_transition_is_reported_before_missing_steps() -> None:
    with pytest.raises(InvalidTransition):
        check_transition("applied", "active", [])


def test_completed_steps_accept_enum_members_and_duplicates() -> None:
    steps = [OnboardingStep(s) for s in REQUIRED_STEPS] + ["nda"]
    assert missing_onboarding_steps(steps) == []


def test_unknown_onboarding_step_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown onboarding step 'ndaa'"):
        missing_onboarding_steps(["ndaa"])


def test_unknown_status_is_a_value_error_listing_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown contributor status 'banned'; known: active, applied"):
        check_transition("active", "banned", ALL_STEPS)


def test_enum_members_are_accepted_as_statuses() -> None:
    assert (
        check_transition(ContributorStatus.ACTIVE, ContributorStatus.PAUSED, []) is ContributorStatus.PAUSED
    )


def test_lifecycle_errors_render_as_409_problems_with_their_details() -> None:
    from services.contributors.rules.lifecycle import check_transition
    from shared.errors import Conflict

    with pytest.raises(Conflict) as invalid:
        check_transition("applied", "active", [])
    with pytest.raises(Conflict) as missing:
        check_transition("onboarding", "active", ["nda"])

    assert invalid.value.status == 409 and invalid.value.extra["allowed"] == [
        "offboarded",
        "rejected",
        "screening",
    ]
    assert missing.value.status == 409 and "training" in missing.value.extra["missing"]
