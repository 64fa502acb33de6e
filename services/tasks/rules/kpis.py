"""The tasks service's KPIs, each defined once: stats, reports, metrics and the vendors' scorecards all
compute from these functions (the README glossary says the same in words).

Pure functions of values. Every figure is rounded to `PLACES` decimals here, so two surfaces showing the
same KPI show the same number; a rate with nothing to divide by is None (unknown), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from services.tasks.rules import quality

PLACES = 4
# A task is at risk in the last 20 % of its project's SLA turnaround before its due time.
AT_RISK_SHARE = 0.8


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, PLACES)


def _rate(part: float, whole: float) -> float | None:
    return rounded(part / whole) if whole else None


# --- SLA: due time, turnaround, on time and breaches, per task ------------------------------------


def due_time(
    *, imported_at: datetime, due_at: datetime | None, sla_turnaround_hours: float | None
) -> datetime | None:
    """When a task must have its final label: its own due time, else import + the project's SLA turnaround;
    None when neither is set (the task has no SLA)."""
    if due_at is not None:
        return due_at
    if sla_turnaround_hours is None:
        return None
    return imported_at + timedelta(hours=sla_turnaround_hours)


def turnaround_seconds(*, imported_at: datetime, final_at: datetime | None) -> float | None:
    """Turnaround: import → final label (the task's last required answer; a rejection reopens it)."""
    return None if final_at is None else (final_at - imported_at).total_seconds()


class SlaState(StrEnum):
    ON_TIME = "on_time"  # final label at or before the due time
    BREACHED = "breached"  # final label after the due time, or still open past it
    AT_RISK = "at_risk"  # open, not yet due, within the last 20 % of the SLA turnaround
    PENDING = "pending"  # open, due later


def sla_state(
    *, due: datetime | None, final_at: datetime | None, now: datetime, sla_turnaround_hours: float | None
) -> SlaState | None:
    """A task's SLA state at `now`; None without a due time. An open task past its due time IS breached."""
    if due is None:
        return None
    if final_at is not None and final_at <= due:
        return SlaState.ON_TIME
    if final_at is not None or now > due:
        return SlaState.BREACHED
    if sla_turnaround_hours and due <= now + at_risk_horizon(sla_turnaround_hours):
        return SlaState.AT_RISK
    return SlaState.PENDING


def sla_settled_at(*, due: datetime, final_at: datetime | None) -> datetime:
    """When a task's SLA outcome is settled, which decides the report window it counts in: its final label
    when that came on time, else its due time (the moment it breached)."""
    return final_at if final_at is not None and final_at <= due else due


def at_risk_horizon(sla_turnaround_hours: float) -> timedelta:
    """How long before its due time an open task counts as at risk."""
    return timedelta(hours=sla_turnaround_hours * (1 - AT_RISK_SHARE))


def avg_turnaround_seconds(*, turnaround_seconds: float, tasks_finished: int) -> float | None:
    """Turnaround averaged over the tasks whose final label came in a window."""
    return _rate(turnaround_seconds, tasks_finished)


def on_time_rate(*, on_time: int, breached: int) -> float | None:
    """Tasks whose final label came by their due time, over the tasks whose SLA outcome is settled."""
    return _rate(on_time, on_time + breached)


# --- Work: handling time, throughput, productivity, delivery ---------------------------------------


def avg_handling_seconds(*, handling_seconds: float, answers: int) -> float | None:
    """Handling time: the seconds labelers report spending per answer, averaged over answers."""
    return _rate(handling_seconds, answers)


def throughput_per_hour(*, answers: int, window_hours: float) -> float | None:
    """Answers submitted in a stated window, per hour of that window."""
    return _rate(answers, window_hours)


def productivity_per_hour(*, answers: int, handling_seconds: float) -> float | None:
    """Answers per hour of handling time (3600 / average handling seconds)."""
    return _rate(answers * 3600, handling_seconds)


def delivery_turnaround_hours(*, delivery_seconds: float, answers: int) -> float | None:
    """Delivery turnaround of a vendor or contributor: import of the task → delivery of their answer, in
    hours, averaged over their answers (what a scorecard's turnaround term measures)."""
    return _rate(delivery_seconds / 3600, answers)


def delivery_on_time_rate(*, on_time: int, with_due: int) -> float | None:
    """Answers delivered by their task's due time, over the answers whose task had one."""
    return _rate(on_time, with_due)


# --- Quality ---------------------------------------------------------------------------------------


def gold_accuracy(*, correct: int, total: int) -> float | None:
    """Answers to gold tasks equal to the gold answer, over answers to gold tasks."""
    return _rate(correct, total)


def rejection_rate(*, accepted: int, rejected: int) -> float | None:
    """Answers rejected in review, over answers decided (accepted or rejected)."""
    return _rate(rejected, accepted + rejected)


def agreement(annotations: Iterable[quality.Annotation]) -> float | None:
    """Agreement: Krippendorff's alpha (nominal) over the answers not rejected, tasks with ≥ 2 answers."""
    annotations = list(annotations)
    return rounded(quality.krippendorff_alpha_nominal(annotations)) if annotations else None


def figures(facts: dict[str, int], *, window_hours: float | None) -> dict[str, float | int | None]:
    """Every count-based KPI of one scope (project, vendor, contributor) from its counts, by one recipe.

    `facts` holds: answers (submitted), handling_seconds, gold_total, gold_correct, accepted, rejected,
    delivery_seconds, delivered_on_time, delivered_with_due, finished (tasks whose final label came with
    these answers) and turnaround_seconds (theirs, summed); missing counts are 0.
    """
    get = facts.get
    answers = get("answers", 0)
    return {
        "tasks_finished": get("finished", 0),
        "avg_turnaround_seconds": avg_turnaround_seconds(
            turnaround_seconds=get("turnaround_seconds", 0), tasks_finished=get("finished", 0)
        ),
        "submissions": answers,
        "accepted_labels": get("accepted", 0),
        "rejected_labels": get("rejected", 0),
        "throughput_per_hour": throughput_per_hour(answers=answers, window_hours=window_hours or 0),
        "avg_handling_seconds": avg_handling_seconds(
            handling_seconds=get("handling_seconds", 0), answers=answers
        ),
        "productivity_per_hour": productivity_per_hour(
            answers=answers, handling_seconds=get("handling_seconds", 0)
        ),
        "gold_accuracy": gold_accuracy(correct=get("gold_correct", 0), total=get("gold_total", 0)),
        "rejection_rate": rejection_rate(accepted=get("accepted", 0), rejected=get("rejected", 0)),
        "delivery_turnaround_hours": delivery_turnaround_hours(
            delivery_seconds=get("delivery_seconds", 0), answers=answers
        ),
        "delivery_on_time_rate": delivery_on_time_rate(
            on_time=get("delivered_on_time", 0), with_due=get("delivered_with_due", 0)
        ),
    }


def sla_figures(*, on_time: int, breached: int) -> dict[str, float | int | None]:
    return {
        "tasks_on_time": on_time,
        "sla_breaches": breached,
        "on_time_rate": on_time_rate(on_time=on_time, breached=breached),
    }


def _words(kpi) -> str:
    return " ".join(kpi.__doc__.split())


# What each figure of figures(), sla_figures() and the reports means, in words: the definitions above
# where a function computes it (their own docstrings, so words and code cannot drift apart), else what
# is counted. The gateway writes them on its report files' cover sheets.
DEFINITIONS: dict[str, str] = {
    "tasks_finished": "Tasks whose final label came in the window.",
    "avg_turnaround_seconds": _words(turnaround_seconds) + " Averaged over the tasks finished in the window.",
    "submissions": "Answers submitted in the window.",
    "accepted_labels": "Answers accepted in review, counted at the decision's time.",
    "rejected_labels": "Answers rejected in review, counted at the decision's time.",
    "throughput_per_hour": _words(throughput_per_hour) + " The window is the report's.",
    "avg_handling_seconds": _words(avg_handling_seconds),
    "productivity_per_hour": _words(productivity_per_hour),
    "gold_accuracy": _words(gold_accuracy),
    "rejection_rate": _words(rejection_rate),
    "delivery_turnaround_hours": _words(delivery_turnaround_hours),
    "delivery_on_time_rate": _words(delivery_on_time_rate),
    "agreement": _words(agreement),
    "tasks_on_time": "Tasks whose final label came by their due time, settled in the window.",
    "sla_breaches": "Tasks whose final label came after their due time, or still open when it passed "
    "(an open task past due is breached), settled in the window.",
    "on_time_rate": _words(on_time_rate),
    "at_risk_tasks": "Open tasks not yet due whose due time is within the last 20 % of the project's SLA "
    "turnaround, now.",
}
