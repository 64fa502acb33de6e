"""Contributor lifecycle: statuses, allowed transitions and the onboarding steps that gate activation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from shared import errors


class ContributorStatus(StrEnum):
    APPLIED = "applied"
    SCREENING = "screening"
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    PAUSED = "paused"
    SUSPENDED = "suspended"
    REJECTED = "rejected"
    OFFBOARDED = "offboarded"


class OnboardingStep(StrEnum):
    PROFILE_SETUP = "profile_setup"
    PLATFORM_TOUR = "platform_tour"
    GUIDELINES_ACK = "guidelines_ack"
    NDA = "nda"
    TRAINING = "training"
    QUALIFICATION = "qualification"


_S = ContributorStatus

# The whole state machine. Every non-terminal status may go to OFFBOARDED.
# REJECTED is terminal like OFFBOARDED: a rejected applicant never received access, so there is
# nothing to offboard; re-applying creates a new application.
TRANSITIONS: Mapping[ContributorStatus, frozenset[ContributorStatus]] = MappingProxyType(
    {
        _S.APPLIED: frozenset({_S.SCREENING, _S.REJECTED, _S.OFFBOARDED}),
        _S.SCREENING: frozenset({_S.ONBOARDING, _S.SUSPENDED, _S.REJECTED, _S.OFFBOARDED}),
        _S.ONBOARDING: frozenset({_S.ACTIVE, _S.SUSPENDED, _S.OFFBOARDED}),
        _S.ACTIVE: frozenset({_S.PAUSED, _S.SUSPENDED, _S.OFFBOARDED}),
        _S.PAUSED: frozenset({_S.ACTIVE, _S.SUSPENDED, _S.OFFBOARDED}),
        _S.SUSPENDED: frozenset({_S.ACTIVE, _S.OFFBOARDED}),
        _S.REJECTED: frozenset(),
        _S.OFFBOARDED: frozenset(),
    }
)

TERMINAL_STATUSES: frozenset[ContributorStatus] = frozenset(
    s for s, targets in TRANSITIONS.items() if not targets
)

# The platform tour is optional: it is a walkthrough of the UI, while every other step is either a
# legal prerequisite (NDA, guidelines acknowledgement) or proof of ability (training, qualification).
REQUIRED_ONBOARDING_STEPS: frozenset[OnboardingStep] = frozenset(OnboardingStep) - {
    OnboardingStep.PLATFORM_TOUR
}


class InvalidTransition(errors.InvalidTransition):
    """A status change the lifecycle does not allow (HTTP 409 naming the allowed targets)."""

    def __init__(self, current: str, target: str, allowed: list[str]):
        super().__init__(current, target, allowed)
        self.current = current
        self.target = target
        self.allowed = allowed


class MissingOnboardingSteps(errors.Conflict):
    """Activation attempted before the required onboarding steps were completed (HTTP 409)."""

    type_slug, title = "onboarding-incomplete", "Onboarding incomplete"

    def __init__(self, missing: list[str]):
        super().__init__(
            f"cannot activate: required onboarding steps not completed: {', '.join(missing)}", missing=missing
        )
        self.missing = missing


def parse_status(value: str) -> ContributorStatus:
    """Return the ContributorStatus named by value, else raise ValueError listing the known statuses."""
    try:
        return ContributorStatus(value)
    except ValueError:
        known = ", ".join(sorted(ContributorStatus))
        raise ValueError(f"unknown contributor status {value!r}; known: {known}") from None


def parse_onboarding_step(value: str) -> OnboardingStep:
    """Return the OnboardingStep named by value, else raise ValueError listing the known steps."""
    try:
        return OnboardingStep(value)
    except ValueError:
        known = ", ".join(sorted(OnboardingStep))
        raise ValueError(f"unknown onboarding step {value!r}; known: {known}") from None


def allowed_targets(current: str) -> list[str]:
    """Return the statuses reachable from current in one transition, sorted by name."""
    return sorted(status.value for status in TRANSITIONS[parse_status(current)])


def is_terminal(status: str) -> bool:
    """Return True when no transition leaves status."""
    return parse_status(status) in TERMINAL_STATUSES


def missing_onboarding_steps(completed_steps: Iterable[str]) -> list[str]:
    """Return the required onboarding steps absent from completed_steps, sorted by name."""
    completed = {parse_onboarding_step(step) for step in completed_steps}
    return sorted(step.value for step in REQUIRED_ONBOARDING_STEPS - completed)


def check_transition(current: str, target: str, completed_steps: Iterable[str]) -> ContributorStatus:
    """Return target as a status if current → target is allowed and activation has its required steps.

    Raises InvalidTransition for a move outside TRANSITIONS (including staying in the same status)
    and MissingOnboardingSteps when entering ACTIVE without every required onboarding step.
    """
    current_status = parse_status(current)
    target_status = parse_status(target)
    if target_status not in TRANSITIONS[current_status]:
        raise InvalidTransition(current_status.value, target_status.value, allowed_targets(current_status))
    # Checked on every entry into ACTIVE, not only from ONBOARDING: otherwise a contributor suspended
    # during screening could skip onboarding via suspended → active. For someone who was active
    # before (paused/suspended), the steps are already complete and the check passes.
    if target_status is ContributorStatus.ACTIVE:
        missing = missing_onboarding_steps(completed_steps)
        if missing:
            raise MissingOnboardingSteps(missing)
    return target_status
