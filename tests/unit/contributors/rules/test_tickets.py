"""Support tickets: status machine, SLA due times, breaches and overdue state."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.contributors.rules.lifecycle import InvalidTransition
from services.contributors.rules.tickets import (
    DEFAULT_SLA_POLICY,
    SlaKind,
    SlaTarget,
    TicketChannel,
    TicketPriority,
    TicketSlaFacts,
    TicketStatus,
    check_ticket_transition,
    first_response_seconds,
    is_overdue,
    sla_breaches,
    sla_due_times,
    sla_policy,
)

CREATED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, second: int = 0, *, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


# --- status machine ------------------------------------------------------------------------------

EXPECTED_ALLOWED = {
    ("open", "in_progress"),
    ("open", "waiting"),
    ("open", "resolved"),
    ("in_progress", "waiting"),
    ("in_progress", "resolved"),
    ("waiting", "in_progress"),
    ("waiting", "resolved"),
    ("resolved", "in_progress"),
    ("resolved", "closed"),
}
ALL_PAIRS = set(itertools.product([s.value for s in TicketStatus], repeat=2))


@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED_ALLOWED))
def test_allowed_ticket_transition_returns_target(current: str, target: str) -> None:
    assert check_ticket_transition(current, target) is TicketStatus(target)


@pytest.mark.parametrize(("current", "target"), sorted(ALL_PAIRS - EXPECTED_ALLOWED))
def test_every_other_ticket_transition_is_refused(current: str, target: str) -> None:
    with pytest.raises(InvalidTransition):
        check_ticket_transition(current, target)


def test_closing_an_unresolved_ticket_lists_what_is_allowed() -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_ticket_transition("open", "closed")
    assert caught.value.allowed == ["in_progress", "resolved", "waiting"]


def test_closed_ticket_is_terminal() -> None:
    with pytest.raises(InvalidTransition, match="none \\(terminal status\\)"):
        check_ticket_transition("closed", "in_progress")


def test_unknown_ticket_status_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown ticket status 'pending'"):
        check_ticket_transition("open", "pending")


def test_channels_are_the_five_design_channels() -> None:
    assert {c.value for c in TicketChannel} == {"discord", "email", "chat", "social", "web"}


# --- SLA policy and due times --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "first_hours", "resolution_hours"),
    [("P1", 1, 4), ("P2", 4, 24), ("P3", 8, 72), ("P4", 24, 120)],
)
def test_default_sla_policy(priority: str, first_hours: int, resolution_hours: int) -> None:
    assert DEFAULT_SLA_POLICY[TicketPriority(priority)] == SlaTarget(
        first_response=timedelta(hours=first_hours), resolution=timedelta(hours=resolution_hours)
    )


def test_due_times_for_p2_with_default_policy() -> None:
    due = sla_due_times(CREATED, "P2")
    assert (due.first_response_due, due.resolution_due) == (at(14), at(10, day=3))


def test_due_times_for_p4_span_five_days() -> None:
    assert sla_due_times(CREATED, "P4").resolution_due == at(10, day=7)


def test_override_replaces_only_the_named_priority() -> None:
    policy = {"P1": SlaTarget(first_response=timedelta(minutes=30), resolution=timedelta(hours=2))}
    p1, p2 = sla_due_times(CREATED, "P1", policy), sla_due_times(CREATED, "P2", policy)
    assert (p1.first_response_due, p1.resolution_due, p2.first_response_due) == (at(10, 30), at(12), at(14))


def test_due_times_are_utc_for_a_non_utc_creation_time() -> None:
    created = datetime(2026, 3, 2, 18, 0, tzinfo=timezone(timedelta(hours=8)))
    due = sla_due_times(created, "P1")
    assert due.first_response_due == at(11) and due.first_response_due.utcoffset() == timedelta(0)


def test_waiting_time_moves_only_the_resolution_due_time() -> None:
    due = sla_due_times(CREATED, "P1", waiting_time=timedelta(minutes=90))
    assert (due.first_response_due, due.resolution_due) == (at(11), at(15, 30))


def test_sla_policy_rejects_unknown_priority() -> None:
    with pytest.raises(ValueError, match="unknown priority 'P5'"):
        sla_policy({"P5": DEFAULT_SLA_POLICY[TicketPriority.P4]})


def test_sla_target_first_response_cannot_exceed_resolution() -> None:
    with pytest.raises(ValueError, match="cannot be longer"):
        SlaTarget(first_response=timedelta(hours=5), resolution=timedelta(hours=4))


def test_sla_target_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SlaTarget(first_response=timedelta(0), resolution=timedelta(hours=4))


def test_due_times_reject_naive_creation_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sla_due_times(datetime(2026, 3, 2, 10, 0), "P1")


# --- first response ------------------------------------------------------------------------------


def test_first_response_seconds() -> None:
    assert first_response_seconds(CREATED, at(10, 7, 30)) == 450.0


def test_first_response_seconds_across_offsets() -> None:
    answered = datetime(2026, 3, 2, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    assert first_response_seconds(CREATED, answered) == 1800.0


def test_first_response_seconds_is_none_before_any_staff_message() -> None:
    assert first_response_seconds(CREATED, None) is None


def test_first_response_before_creation_is_rejected() -> None:
    with pytest.raises(ValueError, match="before the ticket was created"):
        first_response_seconds(CREATED, at(9, 59))


# --- overdue -------------------------------------------------------------------------------------


def test_unanswered_ticket_exactly_at_first_response_due_is_not_overdue() -> None:
    assert is_overdue(TicketSlaFacts(created_at=CREATED, priority="P1"), at(11)) is False


def test_unanswered_ticket_one_second_after_first_response_due_is_overdue() -> None:
    assert is_overdue(TicketSlaFacts(created_at=CREATED, priority="P1"), at(11, 0, 1)) is True


def test_answered_ticket_within_resolution_time_is_not_overdue() -> None:
    facts = TicketSlaFacts(created_at=CREATED, priority="P1", first_response_at=at(10, 20))
    assert is_overdue(facts, at(13, 59)) is False


def test_answered_but_unresolved_ticket_past_resolution_due_is_overdue() -> None:
    facts = TicketSlaFacts(created_at=CREATED, priority="P1", first_response_at=at(10, 20))
    assert is_overdue(facts, at(14, 1)) is True


def test_resolved_ticket_is_never_overdue() -> None:
    facts = TicketSlaFacts(created_at=CREATED, priority="P1", first_response_at=at(12), resolved_at=at(20))
    assert is_overdue(facts, at(23)) is False


def test_past_waiting_time_extends_resolution_due() -> None:
    # given P1 (4h), answered, 1h spent waiting on the contributor → resolution due 15:00
    facts = TicketSlaFacts(
        created_at=CREATED, priority="P1", first_response_at=at(10, 10), waiting_time=timedelta(hours=1)
    )
    assert (is_overdue(facts, at(14, 30)), is_overdue(facts, at(15, 1))) == (False, True)


def test_resolution_clock_is_stopped_while_waiting_on_the_contributor() -> None:
    # given P1 waiting since 12:00 (2h of the 4h used) / when it is 16:00 / then 2h remain → not overdue
    facts = TicketSlaFacts(
        created_at=CREATED, priority="P1", first_response_at=at(10, 10), waiting_since=at(12)
    )
    assert is_overdue(facts, at(16)) is False


def test_first_response_clock_does_not_stop_while_waiting() -> None:
    facts = TicketSlaFacts(created_at=CREATED, priority="P1", waiting_since=at(10, 30))
    assert is_overdue(facts, at(11, 30)) is True


# --- breaches ------------------------------------------------------------------------------------


def test_late_first_response_is_a_breach_even_after_resolution() -> None:
    facts = TicketSlaFacts(
        created_at=CREATED, priority="P1", first_response_at=at(11, 30), resolved_at=at(13)
    )
    assert sla_breaches(facts, at(18)) == {SlaKind.FIRST_RESPONSE}


def test_late_resolution_is_a_breach() -> None:
    facts = TicketSlaFacts(
        created_at=CREATED, priority="P1", first_response_at=at(10, 30), resolved_at=at(14, 30)
    )
    assert sla_breaches(facts, at(18)) == {SlaKind.RESOLUTION}


def test_ticket_met_both_targets_has_no_breach() -> None:
    facts = TicketSlaFacts(created_at=CREATED, priority="P1", first_response_at=at(11), resolved_at=at(14))
    assert sla_breaches(facts, at(18)) == frozenset()


def test_pending_targets_past_due_are_both_breaches() -> None:
    assert sla_breaches(TicketSlaFacts(created_at=CREATED, priority="P1"), at(14, 1)) == {
        SlaKind.FIRST_RESPONSE,
        SlaKind.RESOLUTION,
    }


def test_resolving_without_a_separate_reply_counts_as_the_first_response() -> None:
    facts = TicketSlaFacts(created_at=CREATED, priority="P1", resolved_at=at(10, 40))
    assert sla_breaches(facts, at(18)) == frozenset()


def test_breach_uses_the_policy_override() -> None:
    policy = {"P3": SlaTarget(first_response=timedelta(hours=1), resolution=timedelta(hours=2))}
    facts = TicketSlaFacts(created_at=CREATED, priority="P3", first_response_at=at(11, 30))
    assert sla_breaches(facts, at(11, 45), policy) == {SlaKind.FIRST_RESPONSE}


# --- facts validation ----------------------------------------------------------------------------


def test_facts_normalise_priority_string_to_enum() -> None:
    assert TicketSlaFacts(created_at=CREATED, priority="P2").priority is TicketPriority.P2


def test_facts_reject_naive_times() -> None:
    with pytest.raises(ValueError, match="resolved_at must be timezone-aware"):
        TicketSlaFacts(created_at=CREATED, priority="P2", resolved_at=datetime(2026, 3, 2, 12, 0))


def test_facts_reject_response_before_creation() -> None:
    with pytest.raises(ValueError, match="first_response_at is before"):
        TicketSlaFacts(created_at=CREATED, priority="P2", first_response_at=at(9))


def test_facts_reject_a_resolved_ticket_that_is_waiting() -> None:
    with pytest.raises(ValueError, match="cannot be waiting"):
        TicketSlaFacts(created_at=CREATED, priority="P2", resolved_at=at(12), waiting_since=at(11))


def test_facts_reject_negative_waiting_time() -> None:
    with pytest.raises(ValueError, match="negative"):
        TicketSlaFacts(created_at=CREATED, priority="P2", waiting_time=timedelta(minutes=-1))


# --- due times already stored on the ticket -------------------------------------------------------------


def test_breaches_against_stored_due_times_add_the_current_wait() -> None:
    from services.contributors.rules.tickets import SlaDueTimes, is_overdue_against, sla_breaches_against

    due = SlaDueTimes(first_response_due=at(11), resolution_due=at(14))
    facts = TicketSlaFacts(
        created_at=CREATED, priority="P1", first_response_at=at(10, 30), waiting_since=at(13)
    )

    # Waiting since 13:00, at 16:00 the resolution due has moved to 17:00.
    assert sla_breaches_against(due, facts, at(16)) == frozenset()
    assert is_overdue_against(due, facts, at(16)) is False


def test_breaches_against_stored_due_times_match_the_policy_computation() -> None:
    from services.contributors.rules.tickets import is_overdue_against, sla_breaches_against

    facts = TicketSlaFacts(created_at=CREATED, priority="P2", waiting_time=timedelta(hours=1))
    due = sla_due_times(CREATED, "P2", waiting_time=timedelta(hours=1))

    for moment in (at(12), at(15), at(20), at(12, day=3)):
        assert sla_breaches_against(due, facts, moment) == sla_breaches(facts, moment)
        assert is_overdue_against(due, facts, moment) == is_overdue(facts, moment)


def test_transition_errors_are_the_kits_409() -> None:
    from shared.errors import Conflict
    from shared.errors import InvalidTransition as KitInvalidTransition

    with pytest.raises(KitInvalidTransition) as caught:
        check_ticket_transition("closed", "open")

    assert isinstance(caught.value, Conflict) and caught.value.status == 409
    assert caught.value.extra["allowed"] == []
