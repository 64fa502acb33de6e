"""The tasks service's KPI definitions (services.tasks.rules.kpis), one behaviour each."""

from datetime import UTC, datetime, timedelta

from services.tasks.rules import kpis
from services.tasks.rules.kpis import SlaState

IMPORTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = IMPORTED + timedelta(hours=10)


def test_a_tasks_own_due_time_wins_over_the_projects_sla():
    own = IMPORTED + timedelta(hours=2)

    assert kpis.due_time(imported_at=IMPORTED, due_at=own, sla_turnaround_hours=24) == own


def test_without_its_own_due_time_a_task_is_due_its_projects_sla_after_import():
    assert kpis.due_time(imported_at=IMPORTED, due_at=None, sla_turnaround_hours=10) == DUE


def test_a_task_with_no_due_time_and_no_sla_has_no_sla_state():
    assert kpis.due_time(imported_at=IMPORTED, due_at=None, sla_turnaround_hours=None) is None
    assert kpis.sla_state(due=None, final_at=None, now=DUE, sla_turnaround_hours=None) is None


def test_turnaround_runs_from_import_to_the_final_label():
    final = IMPORTED + timedelta(minutes=90)

    assert kpis.turnaround_seconds(imported_at=IMPORTED, final_at=final) == 5400
    assert kpis.turnaround_seconds(imported_at=IMPORTED, final_at=None) is None


def test_a_final_label_at_the_due_time_is_on_time_and_after_it_a_breach():
    state = {
        final: kpis.sla_state(due=DUE, final_at=final, now=DUE + timedelta(days=1), sla_turnaround_hours=10)
        for final in (DUE, DUE + timedelta(seconds=1))
    }

    assert state == {DUE: SlaState.ON_TIME, DUE + timedelta(seconds=1): SlaState.BREACHED}


def test_an_open_task_past_its_due_time_is_breached_not_at_risk():
    state = kpis.sla_state(due=DUE, final_at=None, now=DUE + timedelta(minutes=10), sla_turnaround_hours=10)

    assert state is SlaState.BREACHED


def test_an_open_task_is_at_risk_in_the_last_fifth_of_its_sla_and_pending_before():
    def at(hours_before_due: float) -> SlaState | None:
        now = DUE - timedelta(hours=hours_before_due)
        return kpis.sla_state(due=DUE, final_at=None, now=now, sla_turnaround_hours=10)

    assert (at(2.5), at(2), at(0.5)) == (SlaState.PENDING, SlaState.AT_RISK, SlaState.AT_RISK)


def test_an_on_time_outcome_settles_at_the_final_label_and_a_breach_at_the_due_time():
    early, late = DUE - timedelta(hours=1), DUE + timedelta(hours=1)

    assert kpis.sla_settled_at(due=DUE, final_at=early) == early
    assert kpis.sla_settled_at(due=DUE, final_at=late) == DUE
    assert kpis.sla_settled_at(due=DUE, final_at=None) == DUE


def test_on_time_rate_counts_open_breaches_in_the_denominator():
    assert kpis.on_time_rate(on_time=16, breached=3) == 0.8421
    assert kpis.on_time_rate(on_time=0, breached=0) is None


def test_figures_from_counts():
    facts = {"answers": 5, "accepted": 4, "rejected": 1, "handling_seconds": 1500, "gold_total": 4,
             "gold_correct": 3, "delivery_seconds": 9000.0, "delivered_on_time": 4, "delivered_with_due": 5,
             "finished": 4, "turnaround_seconds": 7000.0}  # fmt: skip

    figures = kpis.figures(facts, window_hours=2.0)

    assert figures == {
        "tasks_finished": 4,
        "avg_turnaround_seconds": 1750.0,
        "submissions": 5,
        "accepted_labels": 4,
        "rejected_labels": 1,
        "throughput_per_hour": 2.5,
        "avg_handling_seconds": 300.0,
        "productivity_per_hour": 12.0,
        "gold_accuracy": 0.75,
        "rejection_rate": 0.2,
        "delivery_turnaround_hours": 0.5,
        "delivery_on_time_rate": 0.8,
    }


def test_rates_without_a_denominator_are_unknown_not_zero():
    figures = kpis.figures({"accepted": 2}, window_hours=8.0)

    assert figures["gold_accuracy"] is None and figures["delivery_on_time_rate"] is None
    assert figures["avg_handling_seconds"] is None and figures["productivity_per_hour"] is None
    assert figures["rejection_rate"] == 0.0 and figures["throughput_per_hour"] == 0.0


def test_every_figure_is_rounded_to_four_places():
    figures = kpis.figures({"answers": 3, "handling_seconds": 1000}, window_hours=7.0)

    assert (figures["throughput_per_hour"], figures["avg_handling_seconds"]) == (0.4286, 333.3333)


def test_agreement_is_krippendorffs_alpha_over_tasks_with_two_answers():
    perfect = [(1, "a", "cat"), (1, "b", "cat"), (2, "a", "dog"), (2, "b", "dog")]

    assert kpis.agreement(perfect) == 1.0
    assert kpis.agreement([]) is None
