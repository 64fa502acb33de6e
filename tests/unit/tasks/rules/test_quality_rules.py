"""Quality rules as pure functions: each metric's value and firing, the once-per-window rule, the configs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.tasks.rules import quality_rules as rules

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return NOW - timedelta(minutes=minutes)


def _spec(**kw) -> rules.RuleSpec:
    base = dict(metric="gold_accuracy", action="retest", threshold=0.8, window_size=10)
    return rules.RuleSpec(**(base | kw))


def test_gold_accuracy_fires_below_the_threshold_with_its_evidence():
    answers = [(3, _at(1), False), (2, _at(2), True), (1, _at(3), False)]

    measured = rules.gold_accuracy(answers, threshold=0.5, min_count=3)

    assert (measured.value, measured.fires, measured.window_start) == (pytest.approx(1 / 3), True, _at(3))
    assert measured.evidence == {"submission_ids": [3, 2, 1], "correct": 1, "total": 3}


def test_gold_accuracy_needs_the_minimum_count():
    measured = rules.gold_accuracy([(1, _at(1), False)], threshold=0.5, min_count=2)

    assert (measured.value, measured.fires) == (0.0, False)


def test_gold_accuracy_at_the_threshold_does_not_fire():
    measured = rules.gold_accuracy([(1, _at(1), True), (2, _at(1), False)], threshold=0.5, min_count=None)

    assert measured.fires is False


def test_gold_accuracy_without_answers_does_not_fire():
    assert rules.gold_accuracy([], threshold=0.9, min_count=None).fires is False


def test_fast_answers_count_those_under_the_seconds():
    answers = [(3, _at(1), 1), (2, _at(2), 9), (1, _at(3), 2)]

    measured = rules.fast_answers(answers, seconds=3, threshold=2)

    assert (measured.value, measured.fires, measured.evidence["fast_submission_ids"]) == (2, True, [3, 1])


def test_fast_answers_below_the_count_do_not_fire():
    assert rules.fast_answers([(1, _at(1), 1)], seconds=3, threshold=2).fires is False


def test_skips_in_row_stop_at_the_last_answer_and_ignore_expiries():
    newest_first = [(5, _at(1), "released"), (4, _at(2), "expired"), (3, _at(3), "released"), (2, _at(4), "submitted"),
                    (1, _at(5), "released")]  # fmt: skip

    measured = rules.skips_in_row(newest_first, threshold=2)

    assert (measured.value, measured.fires, measured.window_start) == (2, True, _at(3))
    assert measured.evidence == {"released_assignment_ids": [5, 3]}


def test_no_skips_do_not_fire():
    measured = rules.skips_in_row([(1, _at(1), "submitted")], threshold=1)

    assert (measured.value, measured.fires, measured.window_start) == (0, False, None)


def test_answers_per_day_fire_at_the_threshold():
    assert rules.answers_per_day(5, first_at=_at(60), threshold=5).fires is True
    assert rules.answers_per_day(4, first_at=_at(60), threshold=5).fires is False


def test_task_agreement_is_the_share_of_the_most_common_answer():
    measured = rules.task_agreement(["cat", "dog", "cat", "cow"], threshold=0.6)

    assert (measured.value, measured.fires, measured.evidence["distinct_answers"]) == (0.5, True, 3)


def test_task_agreement_of_one_answer_never_fires():
    assert rules.task_agreement(["cat"], threshold=1).fires is False


def test_a_window_is_judged_once():
    assert rules.fires_again(last_fired_at=None, window_start=_at(5)) is True
    assert rules.fires_again(last_fired_at=_at(3), window_start=_at(5)) is False
    assert rules.fires_again(last_fired_at=_at(6), window_start=_at(5)) is True


def test_overlap_rises_by_one_up_to_the_cap():
    assert rules.raised_overlap(current=2, max_overlap=3) == 3
    assert rules.raised_overlap(current=3, max_overlap=3) is None


def test_a_ban_lasts_the_rules_hours():
    assert rules.ban_until(now=NOW, ban_hours=1.5) == NOW + timedelta(minutes=90)


def test_a_complete_rule_has_no_errors():
    assert rules.rule_config_errors(_spec(action="suspend", ban_hours=2)) == []


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (_spec(action="raise_overlap", max_overlap=3), "action"),
        (_spec(metric="task_agreement", action="retest"), "action"),
        (_spec(threshold=2), "threshold"),
        (_spec(metric="answers_per_day", threshold=0.5), "threshold"),
        (_spec(metric="fast_answers", threshold=2), "seconds"),
        (_spec(metric="skips_in_row", threshold=20), "threshold"),
        (_spec(min_count=11), "min_count"),
        (_spec(action="suspend"), "ban_hours"),
        (_spec(metric="task_agreement", action="raise_overlap"), "max_overlap"),
    ],
)
def test_an_incomplete_rule_names_the_field(spec, field):
    assert [e["field"] for e in rules.rule_config_errors(spec)] == [field]


@pytest.mark.parametrize(
    ("total", "correct", "drifted"),
    [(0, 0, False), (1, 1, False), (2, 1, True), (5, 4, False)],
)
def test_after_a_lifted_drift_ban_only_the_gold_answered_since_counts(total, correct, drifted):
    assert rules.drifted_since_lift(gold_total=total, gold_correct=correct, min_quality=0.8) is drifted
