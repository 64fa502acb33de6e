"""Pure rules inside the vendors service layer: state machines, subscription matching, SLA measurement."""

from decimal import Decimal

import pytest

from services.vendors.service.machines import (
    CONTRACT_STATUSES,
    INVOICE_STATUSES,
    VENDOR_STATUSES,
    check_transition,
)
from services.vendors.service.outbound import subscribed
from services.vendors.service.scorecards import measured_from
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


@pytest.mark.parametrize(
    ("wanted", "event_type", "expected"),
    [
        (["contributor.*"], "contributor.erased", True),
        (["contributor.upserted"], "contributor.erased", False),
        (["invoice.approved"], "invoice.approved", True),
        (["invoice.*"], "budget.alert", False),
    ],
)
def test_subscriptions_match_exact_names_and_families(wanted, event_type, expected):
    assert subscribed(wanted, event_type) is expected


def test_stats_map_onto_sla_terms():
    measured = measured_from(
        {
            "gold_accuracy": 0.93,
            "avg_handling_seconds": 1800,
            "exposure_minutes_by_severity": {"high": 200, "low": 100},
        },
        days=10,
    )

    assert measured.quality == Decimal("0.93")
    assert measured.turnaround_hours == Decimal("0.5") and measured.productivity_per_hour == Decimal("2")
    assert measured.daily_exposure_minutes == Decimal("30")


def test_missing_stats_leave_terms_unmeasured():
    measured = measured_from({}, days=30)

    assert (
        measured.quality is None
        and measured.productivity_per_hour is None
        and measured.daily_exposure_minutes is None
    )
