import pytest

from services.vendors.rules.transitions import (
    CONTRACT_STATUSES,
    INVOICE_STATUSES,
    VENDOR_STATUSES,
    check_transition,
)
from shared.errors import InvalidTransition


@pytest.mark.parametrize(
    ("machine", "current", "target"),
    [
        (VENDOR_STATUSES, "prospect", "onboarding"),
        (VENDOR_STATUSES, "suspended", "active"),
        (CONTRACT_STATUSES, "negotiating", "active"),
        (CONTRACT_STATUSES, "active", "expired"),
        (INVOICE_STATUSES, "submitted", "disputed"),
        (INVOICE_STATUSES, "approved", "paid"),
    ],
)
def test_allowed_transitions_pass(machine, current, target):
    check_transition(machine, current=current, target=target)


def test_a_forbidden_transition_lists_the_allowed_targets():
    with pytest.raises(InvalidTransition) as raised:
        check_transition(INVOICE_STATUSES, current="draft", target="paid")

    assert raised.value.extra["allowed"] == ["submitted"]


@pytest.mark.parametrize("machine", [VENDOR_STATUSES, CONTRACT_STATUSES, INVOICE_STATUSES])
def test_every_target_is_a_known_status(machine):
    assert all(target in machine for targets in machine.values() for target in targets)


def test_terminal_statuses_allow_nothing():
    with pytest.raises(InvalidTransition):
        check_transition(VENDOR_STATUSES, current="terminated", target="active")
