"""The manpower forecast's rules, one by one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.tasks.rules.forecast import (
    Assumption,
    Assumptions,
    LocaleWork,
    choose,
    plan,
    plan_locale,
    worst,
)

NOW = datetime(2026, 12, 7, tzinfo=UTC)
PLANNED = Assumptions(Assumption(60.0, "project"), Assumption(30.0, "stated"), Assumption(6.0, "default"))


def _work(**changes) -> LocaleWork:
    values = dict(
        locale="en-US",
        tasks_open=10,
        labeling_units_left=20,
        pending_review=4,
        max_overlap=2,
        eligible_pool=5,
    )
    return LocaleWork(**{**values, **changes})


def _plan(
    work: LocaleWork, *, assumptions: Assumptions = PLANNED, days: float | None = 1.0, review_ratio=0.5
):
    deadline = None if days is None else NOW + timedelta(days=days)
    return plan_locale(work, assumptions=assumptions, review_ratio=review_ratio, deadline=deadline, now=NOW)


def test_hours_count_labeling_and_review_at_their_own_times():
    row = _plan(_work())

    # 20 answers × 60 s + (4 waiting + 20 × 0.5) reviews × 30 s = 1,620 s
    assert (row["review_units_left"], row["contributor_hours_needed"]) == (14, 0.45)
    assert (row["headcount_needed"], row["status"]) == (1, "on_track")


@pytest.mark.parametrize(
    ("work", "days", "assumptions", "status"),
    [
        (_work(labeling_units_left=0, pending_review=0), 1.0, PLANNED, "done"),
        (_work(eligible_pool=1), 1.0, PLANNED, "infeasible"),
        (_work(eligible_pool=0, max_overlap=1), 1.0, PLANNED, "infeasible"),
        (_work(), -1.0, PLANNED, "past_deadline"),
        (
            _work(),
            1.0,
            Assumptions(Assumption(None, "none"), Assumption(None, "none"), PLANNED.hours_per_day),
            "unknown",
        ),
        (_work(), None, PLANNED, "no_deadline"),
        (_work(labeling_units_left=2000, eligible_pool=3), 1.0, PLANNED, "understaffed"),
    ],
)
def test_the_status_says_whether_the_plan_can_hold(work, days, assumptions, status):
    assert _plan(work, days=days, assumptions=assumptions)["status"] == status


def test_the_projects_status_is_its_worst_locales():
    assert worst(["on_track", "understaffed", "done"]) == "understaffed"
    assert worst(["no_deadline", "infeasible"]) == "infeasible"
    assert worst([]) == "done"


def test_the_first_assumption_with_a_value_is_taken_and_named():
    assert choose((None, "stated"), (42.0, "measured"), (60.0, "project")) == Assumption(42.0, "measured")
    assert choose((None, "stated")) == Assumption(None, "none")


def test_the_project_sums_its_locales_and_knows_no_total_when_one_is_unknown():
    works = [_work(), _work(locale="ja-JP", labeling_units_left=40, pending_review=0)]

    planned = plan(works, assumptions=PLANNED, review_ratio=0.0, deadline=NOW + timedelta(days=1), now=NOW)
    unknown = plan(
        works,
        assumptions=Assumptions(Assumption(None, "none"), Assumption(None, "none"), PLANNED.hours_per_day),
        review_ratio=0.0,
        deadline=None,
        now=NOW,
    )

    assert planned["contributor_hours_needed"] == pytest.approx((20 * 60 + 4 * 30 + 40 * 60) / 3600, abs=0.01)
    assert (unknown["contributor_hours_needed"], unknown["headcount_needed"]) == (None, None)
