"""Quality rules ("when metric, then action") as pure functions of values.

A ratio metric (gold accuracy, task agreement) fires *below* its threshold; a count metric (fast answers,
skips in a row, answers per day) fires *at or above* it. A rule judges a window of evidence once: it fires
again for the same contributor only when every item of the window is newer than its last firing, so a
contributor is not banned or rejected twice for the same answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

CONTRIBUTOR_METRICS = ("gold_accuracy", "fast_answers", "skips_in_row", "answers_per_day")
TASK_METRICS = ("task_agreement",)
METRICS = CONTRIBUTOR_METRICS + TASK_METRICS
CONTRIBUTOR_ACTIONS = ("suspend", "retest", "reject_answers")
TASK_ACTIONS = ("raise_overlap",)
ACTIONS = CONTRIBUTOR_ACTIONS + TASK_ACTIONS
RATIO_METRICS = ("gold_accuracy", "task_agreement")
DAY = timedelta(days=1)


@dataclass(frozen=True)
class RuleSpec:
    metric: str
    action: str
    threshold: float
    window_size: int
    min_count: int | None = None
    seconds: float | None = None
    ban_hours: float | None = None
    max_overlap: int | None = None


@dataclass(frozen=True)
class Measurement:
    """What a metric saw: its value, whether the rule fires, and the evidence (oldest item first)."""

    value: float
    fires: bool
    window_start: datetime | None
    evidence: dict[str, Any]


def _field_error(field: str, detail: str) -> dict[str, str]:
    return {"pointer": f"/{field}", "field": field, "in": "body", "detail": detail}


def rule_config_errors(spec: RuleSpec) -> list[dict[str, str]]:
    """The fields a metric and action need (and the combinations that make sense), as 422 field errors."""
    errors = []
    task_metric = spec.metric in TASK_METRICS
    if task_metric != (spec.action in TASK_ACTIONS):
        allowed = TASK_ACTIONS if task_metric else CONTRIBUTOR_ACTIONS
        errors.append(_field_error("action", f"metric {spec.metric} takes one of: {', '.join(allowed)}"))
    if spec.metric in RATIO_METRICS and not 0 <= spec.threshold <= 1:
        errors.append(_field_error("threshold", f"{spec.metric} is a ratio: give a threshold from 0 to 1"))
    if spec.metric not in RATIO_METRICS and spec.threshold < 1:
        errors.append(_field_error("threshold", f"{spec.metric} counts: give a threshold of at least 1"))
    if spec.metric == "fast_answers" and spec.seconds is None:
        errors.append(_field_error("seconds", "fast_answers needs the seconds an answer must take"))
    if spec.metric == "skips_in_row" and spec.threshold > spec.window_size:
        errors.append(_field_error("threshold", "skips_in_row cannot count more than window_size skips"))
    if spec.min_count is not None and spec.min_count > spec.window_size:
        errors.append(_field_error("min_count", "min_count cannot exceed window_size"))
    if spec.action == "suspend" and spec.ban_hours is None:
        errors.append(_field_error("ban_hours", "suspend needs the hours of the ban"))
    if spec.action == "raise_overlap" and spec.max_overlap is None:
        errors.append(_field_error("max_overlap", "raise_overlap needs the overlap it may not exceed"))
    return errors


def gold_accuracy(
    answers: Sequence[tuple[int, datetime, bool]], *, threshold: float, min_count: int | None
) -> Measurement:
    """Share of correct answers among the last gold answers (submission id, at, correct)."""
    if not answers:
        return Measurement(1.0, False, None, {"submission_ids": [], "correct": 0, "total": 0})
    correct = sum(1 for _, _, right in answers if right)
    value = correct / len(answers)
    enough = len(answers) >= (min_count or 1)
    evidence = {"submission_ids": [i for i, _, _ in answers], "correct": correct, "total": len(answers)}
    return Measurement(value, enough and value < threshold, min(at for _, at, _ in answers), evidence)


def fast_answers(
    answers: Sequence[tuple[int, datetime, int]], *, seconds: float, threshold: float
) -> Measurement:
    """How many of the last answers (submission id, at, seconds spent) took less than `seconds`."""
    fast = [i for i, _, spent in answers if spent < seconds]
    start = min((at for _, at, _ in answers), default=None)
    evidence = {"fast_submission_ids": fast, "answers_seen": len(answers), "seconds": seconds}
    return Measurement(float(len(fast)), len(fast) >= threshold, start, evidence)


def skips_in_row(assignments: Sequence[tuple[int, datetime, str]], *, threshold: float) -> Measurement:
    """Releases since the last submitted answer, from assignments newest first (id, leased at, status).

    Expired leases neither skip nor answer, so they do not break the streak.
    """
    streak = []
    for assignment_id, at, status in assignments:
        if status == "submitted":
            break
        if status == "released":
            streak.append((assignment_id, at))
    start = min((at for _, at in streak), default=None)
    evidence = {"released_assignment_ids": [i for i, _ in streak]}
    return Measurement(float(len(streak)), len(streak) >= threshold, start, evidence)


def answers_per_day(count: int, *, first_at: datetime | None, threshold: float) -> Measurement:
    """Answers in the last 24 hours (their count and the oldest one's time)."""
    return Measurement(float(count), count >= threshold, first_at, {"answers_last_24h": count})


def task_agreement(answers: Sequence[Hashable], *, threshold: float) -> Measurement:
    """Share of a finished task's answers that agree with its most common answer."""
    if len(answers) < 2:
        return Measurement(1.0, False, None, {"answers": len(answers)})
    counts = Counter(answers)
    value = counts.most_common(1)[0][1] / len(answers)
    evidence = {"answers": len(answers), "distinct_answers": len(counts), "top_share": value}
    return Measurement(value, value < threshold, None, evidence)


def fires_again(*, last_fired_at: datetime | None, window_start: datetime | None) -> bool:
    """A window judged once: fire only when all its evidence came after the rule's last firing."""
    if last_fired_at is None or window_start is None:
        return True
    return window_start > last_fired_at


def drifted_since_lift(*, gold_total: int, gold_correct: int, min_quality: float) -> bool:
    """After ops lifted a drift ban, only gold answered since counts: none yet is no drift."""
    return gold_total > 0 and gold_correct / gold_total < min_quality


def raised_overlap(*, current: int, max_overlap: int) -> int | None:
    """One more annotation for a contested task, never past the rule's cap (None: already at it)."""
    return current + 1 if current < max_overlap else None


def ban_until(*, now: datetime, ban_hours: float) -> datetime:
    return now + timedelta(hours=ban_hours)
