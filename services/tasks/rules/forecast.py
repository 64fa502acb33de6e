"""The manpower forecast: the people a project needs per locale to meet its deadline, from stated
assumptions, against the people who may do its work.

For each locale (one row, locale null, for a project without locales):
- labeling units left = Σ (overlap − answers counted) over its unfinished tasks (a rejected answer is
  uncounted, so its redo is included);
- review units left = answers awaiting review + labeling units left × the project's review ratio;
- hours needed = (labeling units × handling seconds + review units × review seconds) / 3600;
- headcount needed = ⌈hours needed / (hours per contributor per day × days to the deadline)⌉, every
  calendar day counting;
- the eligible pool = contributors the lasting lease preconditions let work the project (status,
  grants, bans, required languages, skills, qualification, vetting, harmful-content choice) who speak
  the locale's language at the project's minimum proficiency. Someone speaking two locales' languages
  counts in both pools.

The status says whether the plan can hold: `infeasible` when a task needs more different people (its
overlap) than the pool holds, `past_deadline`, `understaffed` when the headcount exceeds the pool,
`unknown` without a handling time, `no_deadline`, `on_track`, or `done`. The project's status is the
worst of its locales'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Hours a contributor works on one project a day when the project states none.
DEFAULT_HOURS_PER_DAY = 6.0
STATUSES = ("infeasible", "past_deadline", "understaffed", "unknown", "no_deadline", "on_track", "done")


@dataclass(frozen=True)
class Assumption:
    value: float | None
    # stated (asked for), measured (answers so far), project (the project's planning setting), default
    # (DEFAULT_HOURS_PER_DAY), handling (review seconds taken as the handling time), or none.
    source: str


@dataclass(frozen=True)
class Assumptions:
    handling_seconds: Assumption
    review_seconds: Assumption
    hours_per_day: Assumption


@dataclass(frozen=True)
class LocaleWork:
    locale: str | None
    tasks_open: int
    labeling_units_left: int
    pending_review: int
    max_overlap: int
    eligible_pool: int


def choose(*candidates: tuple[float | None, str]) -> Assumption:
    """The first candidate with a value, named by its source."""
    for value, source in candidates:
        if value is not None:
            return Assumption(float(value), source)
    return Assumption(None, "none")


def plan_locale(
    work: LocaleWork,
    *,
    assumptions: Assumptions,
    review_ratio: float,
    deadline: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    review_units = work.pending_review + work.labeling_units_left * review_ratio
    handling, review = assumptions.handling_seconds.value, assumptions.review_seconds.value
    hours = None
    if handling is not None and review is not None:
        hours = (work.labeling_units_left * handling + review_units * review) / 3600
    days_left = (deadline - now).total_seconds() / 86_400 if deadline is not None else None
    headcount = None
    if hours is not None and days_left is not None and days_left > 0:
        headcount = math.ceil(hours / (assumptions.hours_per_day.value * days_left))
    status, reason = _status(work, hours=hours, days_left=days_left, headcount=headcount)
    return {
        "locale": work.locale,
        "tasks_open": work.tasks_open,
        "labeling_units_left": work.labeling_units_left,
        "review_units_left": round(review_units, 2),
        "contributor_hours_needed": None if hours is None else round(hours, 2),
        "headcount_needed": headcount,
        "eligible_pool": work.eligible_pool,
        "max_overlap": work.max_overlap,
        "status": status,
        "reason": reason,
    }


def _status(
    work: LocaleWork, *, hours: float | None, days_left: float | None, headcount: int | None
) -> tuple[str, str | None]:
    if work.labeling_units_left == 0 and work.pending_review == 0:
        return "done", None
    if work.eligible_pool < work.max_overlap:
        return "infeasible", (
            f"a task needs {work.max_overlap} different contributors; {work.eligible_pool} may work it"
        )
    if days_left is not None and days_left <= 0:
        return "past_deadline", "the deadline has passed with work left"
    if hours is None:
        return "unknown", "no handling time: state handling_seconds or the project's planned_handling_seconds"
    if headcount is None:
        return "no_deadline", "the project has no deadline"
    if headcount > work.eligible_pool:
        return "understaffed", f"needs {headcount} contributors; {work.eligible_pool} may work it"
    return "on_track", None


def worst(statuses: list[str]) -> str:
    return min(statuses, key=STATUSES.index) if statuses else "done"


def plan(
    works: list[LocaleWork],
    *,
    assumptions: Assumptions,
    review_ratio: float,
    deadline: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    """The forecast of every locale, and the project's: the sums and the worst status."""
    locales = [
        plan_locale(w, assumptions=assumptions, review_ratio=review_ratio, deadline=deadline, now=now)
        for w in works
    ]
    hours = [row["contributor_hours_needed"] for row in locales]
    heads = [row["headcount_needed"] for row in locales]
    return {
        "status": worst([row["status"] for row in locales]),
        "deadline": deadline,
        "contributor_hours_needed": None if None in hours else round(sum(hours), 2),
        "headcount_needed": None if None in heads else sum(heads),
        "assumptions": {
            name: {"value": a.value, "source": a.source}
            for name, a in (
                ("handling_seconds", assumptions.handling_seconds),
                ("review_seconds", assumptions.review_seconds),
                ("hours_per_day", assumptions.hours_per_day),
            )
        },
        "locales": locales,
    }
