"""The lease preconditions: the one list of rules `next` applies, in SQL, and answers from.

Each precondition is a SQL predicate over the lease context (`q` the queue, `p` its project, `cp` the
caller's profile, `:contributor_id`, `:role`, `:now`). The lease statement (queries.py) computes every
predicate as a column `ok_<name>` and claims a task only where all of them hold, so nothing is claimed
that a rule refuses and nothing is ever undone. When nothing was claimed, the first precondition that
failed, in this order, is the answer; the eligibility explanation reads the same columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.tasks.rules.transitions import CLOSED_STATUSES
from shared.errors import DomainError, Forbidden, NotFound
from shared.languages import PROFICIENCY_RANK
from shared.localtime import seconds_to_local_midnight

RETRY_EXHAUSTED = 300
HARMFUL_SEVERITIES = "('medium', 'high')"
CAPPED_SEVERITIES = "('low', 'medium', 'high')"
CLOSED = "(" + ", ".join(f"'{status}'" for status in CLOSED_STATUSES) + ")"


@dataclass(frozen=True)
class NoWork:
    """A 204 answer to `next`: why there is nothing, and when to ask again where waiting helps."""

    reason: str
    retry_after: int | None = None


@dataclass(frozen=True)
class Shown:
    """A value a precondition compares, shown by the eligibility explanation: a SQL expression and how
    to read it (value, json, bool, time)."""

    name: str
    sql: str
    kind: str = "value"


# The response header naming why `next` gave no work (a 204's reason, or a 403's).
QUEUE_REASON = "LabelOps-Queue-Reason"


@dataclass(frozen=True)
class Precondition:
    name: str
    holds: str  # SQL predicate; NULL counts as failed
    # Why it refuses: the LabelOps-Queue-Reason of `next`'s 204, unless `error` answers 403/404 instead.
    reason: str
    retry_after: Callable[[dict[str, Any], datetime], int | None] = lambda _ctx, _now: None
    error: Callable[[dict[str, Any]], DomainError] | None = None
    shows: tuple[Shown, ...] = ()
    # Whether it says who the caller is (status, grants, languages, skills, vetting) rather than where
    # its day stands (budget, break, caps, quota, leases held): the forecast's eligible pool is everyone
    # the lasting rules let work.
    lasting: bool = True

    def refuse(self, ctx: dict[str, Any], now: datetime) -> NoWork:
        if self.error is not None:
            error = self.error(ctx)
            if isinstance(error, Forbidden):
                # A 403 concerns only the caller (its ban, its vendor's suspension): it is named like any
                # refusal. A 404 stays bare, as for a queue that does not exist.
                error.headers = {**error.headers, QUEUE_REASON: self.reason}
            raise error
        return NoWork(self.reason, self.retry_after(ctx, now))


def retry_while_leased(ctx: dict[str, Any], _now: datetime | None = None) -> int:
    """Leases end by a submit, a release or expiry: ask again in a fraction of a lease."""
    return max(1, min(30, ctx["lease_seconds"] // 4))


def _until_local_midnight(ctx: dict[str, Any], now: datetime) -> int:
    return seconds_to_local_midnight(now, ctx["timezone"] or "UTC")


def _until_break_ends(ctx: dict[str, Any], now: datetime) -> int:
    return max(1, math.ceil((ctx["break_ends_at"] - now).total_seconds()))


def _has_every_required(kind: str) -> str:
    return f"""NOT EXISTS (
      SELECT 1 FROM project_requirements r WHERE r.project_id = p.id AND r.kind = '{kind}'
        AND NOT EXISTS (SELECT 1 FROM contributor_facts f WHERE f.contributor_id = :contributor_id
                          AND f.kind = '{kind}' AND f.value = r.value))"""


# The proficiency rank a project asks of the languages it requires and of its tasks' languages.
MIN_LANGUAGE_RANK = (
    "CASE p.min_language_proficiency "
    + " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in PROFICIENCY_RANK.items())
    + " END"
)


def speaks(language: str) -> str:
    """Whether the caller speaks `language` (SQL) at project `p`'s minimum proficiency."""
    return f"""EXISTS (SELECT 1 FROM contributor_facts f WHERE f.contributor_id = :contributor_id
      AND f.kind = 'language' AND f.value = {language} AND f.amount >= {MIN_LANGUAGE_RANK})"""


EVERY_REQUIRED_LANGUAGE = f"""NOT EXISTS (
    SELECT 1 FROM project_requirements r WHERE r.project_id = p.id AND r.kind = 'language'
      AND NOT {speaks("r.value")})"""
HAS_LOCALES = "EXISTS (SELECT 1 FROM project_requirements r WHERE r.project_id = p.id AND r.kind = 'locale')"


def caller_languages(project_id: str) -> str:
    """The task languages the caller may take on the project `project_id` (a SQL expression) names:
    those of its locales the caller speaks well enough, or '' (tasks without a locale) where it has none.
    The claim walks each one's tasks."""
    return f"""SELECT '' AS language FROM projects p WHERE p.id = {project_id} AND NOT {HAS_LOCALES}
    UNION ALL
    SELECT r.value FROM projects p JOIN project_requirements r ON r.project_id = p.id AND r.kind = 'locale'
    WHERE p.id = {project_id} AND {speaks("r.value")}"""


# Quantities some rules compare, written once: the rule's predicate and its explanation use the same SQL.
EXPOSURE_TODAY = """coalesce((SELECT e.seconds FROM daily_exposure e WHERE e.contributor_id = :contributor_id
    AND e.day = local_day(cp.timezone, :now) AND e.severity = p.content_severity), 0)"""
CAP_MINUTES = """(SELECT f.amount FROM contributor_facts f WHERE f.contributor_id = :contributor_id
    AND f.kind = 'daily_cap_minutes' AND f.value = p.content_severity)"""
ANSWERS_TODAY = """(SELECT count(*) FROM submissions s WHERE s.contributor_id = :contributor_id
    AND s.project_id = p.id AND s.created_at >= local_day_start(cp.timezone, :now))"""
BREAK_ENDS_AT = """(SELECT max(f.expires_at) FROM contributor_facts f WHERE f.contributor_id = :contributor_id
    AND f.kind = 'wellness_break')"""
VENDOR_STATUS = (
    """coalesce((SELECT v.status FROM vendor_statuses v WHERE v.vendor_id = cp.vendor_id), 'active')"""
)
# Units a vendor has committed on the project within a budget `b`'s period: answers accepted or awaiting
# review, and leases live now (each may become one).
COMMITTED_UNITS = """((SELECT count(*) FROM submissions s WHERE s.project_id = p.id AND s.vendor_id = cp.vendor_id
      AND s.outcome IN ('accepted', 'pending_review') AND s.created_at >= b.period_start)
    + (SELECT count(*) FROM assignments l WHERE l.project_id = p.id AND l.vendor_id = cp.vendor_id
      AND l.status = 'leased' AND l.lease_expires_at >= :now))"""
BUDGETS_IN_FORCE = """budget_caps b WHERE b.project_id = p.id AND b.vendor_id = cp.vendor_id
    AND b.max_units IS NOT NULL AND b.period_start <= :now AND b.period_end > :now"""
LIVE_LEASES = """(SELECT count(*) FROM assignments l WHERE l.queue_id = q.id
    AND l.contributor_id = :contributor_id AND l.status = 'leased' AND l.lease_expires_at >= :now)"""

HARMFUL_CONTENT_ACCEPTED = Precondition(
    "harmful_content_accepted",
    f"p.content_severity NOT IN {HARMFUL_SEVERITIES} OR NOT cp.opted_out_harmful",
    "opted_out",
    shows=(
        Shown("content_severity", "p.content_severity"),
        Shown("opted_out", "cp.opted_out_harmful", "bool"),
    ),
)

# A suspension or a ban exists only where the caller (or its vendor) has worked: saying so tells it
# nothing new. A queue it has no grant on answers as if missing (no existence oracle).
PRECONDITIONS: tuple[Precondition, ...] = (
    Precondition(
        "vendor_not_suspended",
        "NOT EXISTS (SELECT 1 FROM vendor_suspensions s WHERE s.project_id = p.id AND s.vendor_id = cp.vendor_id)",
        "vendor_suspended",
        error=lambda ctx: Forbidden(f"your vendor is suspended on project {ctx['project_id']}"),
        shows=(Shown("vendor_id", "cp.vendor_id"),),
    ),
    Precondition(
        "not_banned",
        """NOT EXISTS (SELECT 1 FROM queue_bans b WHERE b.queue_id = q.id AND b.contributor_id = :contributor_id
             AND b.lifted_at IS NULL AND (b.until IS NULL OR b.until > :now))""",
        "banned",
        error=lambda ctx: Forbidden(f"a quality rule suspended you on queue {ctx['queue_id']}"),
    ),
    Precondition(
        "permitted",
        """EXISTS (SELECT 1 FROM queue_permissions g
             WHERE g.queue_id = q.id AND g.revoked_at IS NULL AND g.suspended = false AND g.role = :role
               AND (g.expires_at IS NULL OR g.expires_at > :now)
               AND (g.contributor_id = :contributor_id
                    OR (g.vendor_id IS NOT NULL AND g.vendor_id = cp.vendor_id)
                    OR (g.crowd AND cp.contributor_id IS NOT NULL AND cp.vendor_id IS NULL)))""",
        "not_permitted",
        error=lambda ctx: NotFound(f"queue {ctx['queue_id']} not found"),
        shows=(Shown("vendor_id", "cp.vendor_id"),),
    ),
    Precondition(
        "project_active",
        "p.status = 'active'",
        "exhausted",
        lambda _ctx, _now: RETRY_EXHAUSTED,
        shows=(Shown("project_status", "p.status"),),
        lasting=False,
    ),
    Precondition(
        "contributor_active",
        "cp.status = 'active' AND NOT cp.erased",
        "not_active",
        shows=(Shown("status", "cp.status"), Shown("erased", "cp.erased", "bool")),
    ),
    Precondition(
        "vendor_active",
        f"cp.vendor_id IS NULL OR {VENDOR_STATUS} = 'active'",
        "vendor_not_active",
        shows=(Shown("vendor_id", "cp.vendor_id"), Shown("vendor_status", VENDOR_STATUS)),
    ),
    Precondition(
        "within_budget",
        f"cp.vendor_id IS NULL OR NOT EXISTS (SELECT 1 FROM {BUDGETS_IN_FORCE} AND {COMMITTED_UNITS} >= b.max_units)",
        "budget_cap",
        shows=(
            Shown("max_units", f"(SELECT min(b.max_units) FROM {BUDGETS_IN_FORCE})"),
            Shown("committed_units", f"(SELECT max({COMMITTED_UNITS}) FROM {BUDGETS_IN_FORCE})"),
        ),
        lasting=False,
    ),
    Precondition(
        "languages",
        EVERY_REQUIRED_LANGUAGE,
        "language",
        shows=(
            Shown("required", "p.required_languages", "json"),
            Shown("min_proficiency", "p.min_language_proficiency"),
            Shown("spoken", "cp.languages", "json"),
        ),
    ),
    Precondition(
        "speaks_a_locale",
        f"NOT {HAS_LOCALES} OR EXISTS (SELECT 1 FROM project_requirements r WHERE r.project_id = p.id"
        f" AND r.kind = 'locale' AND {speaks('r.value')})",
        "language",
        shows=(
            Shown("locales", "p.locales", "json"),
            Shown("min_proficiency", "p.min_language_proficiency"),
            Shown("spoken", "cp.languages", "json"),
        ),
    ),
    Precondition(
        "skills",
        _has_every_required("skill"),
        "skill",
        shows=(Shown("required", "p.required_skills", "json"), Shown("skills", "cp.skills", "json")),
    ),
    Precondition(
        "qualification",
        """p.required_qualification IS NULL OR EXISTS (
             SELECT 1 FROM contributor_facts f WHERE f.contributor_id = :contributor_id
               AND f.kind = 'qualification' AND f.value = p.required_qualification
               AND (f.expires_at IS NULL OR f.expires_at > :now)
               AND f.amount >= coalesce(p.required_qualification_score, 0))""",
        "qualification",
        shows=(
            Shown("required", "p.required_qualification"),
            Shown("min_score", "p.required_qualification_score"),
            Shown("qualifications", "cp.qualifications", "json"),
        ),
    ),
    HARMFUL_CONTENT_ACCEPTED,
    Precondition(
        "vendor_staff",
        "NOT p.vetted_staff_only OR cp.vendor_id IS NOT NULL",
        "not_vetted",
        shows=(Shown("vetted_staff_only", "p.vetted_staff_only", "bool"), Shown("vendor_id", "cp.vendor_id")),
    ),
    Precondition(
        "vetted",
        """NOT p.vetted_staff_only OR EXISTS (
             SELECT 1 FROM contributor_facts f WHERE f.contributor_id = :contributor_id AND f.kind = 'vetting'
               AND (f.expires_at IS NULL OR f.expires_at > :now))""",
        "not_vetted",
        shows=(
            Shown("vetted_staff_only", "p.vetted_staff_only", "bool"),
            Shown("vetting", "cp.vetting", "json"),
        ),
    ),
    # The break continuous exposure requires (contributors' wellness policy) keeps the contributor from
    # exposed work until it ends.
    Precondition(
        "not_on_break",
        f"p.content_severity NOT IN {CAPPED_SEVERITIES} OR NOT coalesce({BREAK_ENDS_AT} > :now, false)",
        "wellness_break",
        _until_break_ends,
        shows=(
            Shown("content_severity", "p.content_severity"),
            Shown("break_ends_at", BREAK_ENDS_AT, "time"),
        ),
        lasting=False,
    ),
    Precondition(
        "under_wellness_cap",
        f"p.content_severity NOT IN {CAPPED_SEVERITIES} OR {EXPOSURE_TODAY} < 60 * {CAP_MINUTES}",
        "wellness_cap",
        _until_local_midnight,
        shows=(
            Shown("content_severity", "p.content_severity"),
            Shown("exposure_seconds_today", EXPOSURE_TODAY),
            Shown("cap_minutes", CAP_MINUTES),
            Shown("timezone", "cp.timezone"),
        ),
        lasting=False,
    ),
    Precondition(
        "under_daily_quota",
        f"p.daily_quota IS NULL OR {ANSWERS_TODAY} < p.daily_quota",
        "daily_quota",
        _until_local_midnight,
        shows=(
            Shown("daily_quota", "p.daily_quota"),
            Shown("answers_today", ANSWERS_TODAY),
            Shown("timezone", "cp.timezone"),
        ),
        lasting=False,
    ),
    # Last: a caller at a cap of one who passes every other rule gets back the lease it holds.
    Precondition(
        "under_lease_limit",
        f"{LIVE_LEASES} < p.max_live_leases",
        "lease_limit",
        retry_while_leased,
        shows=(Shown("live_leases", LIVE_LEASES), Shown("max_live_leases", "p.max_live_leases")),
        lasting=False,
    ),
)
LEASE_LIMIT = PRECONDITIONS[-1]
LASTING = tuple(p for p in PRECONDITIONS if p.lasting)
PERMITTED = next(p for p in PRECONDITIONS if p.name == "permitted")

# What a lease already held needs to take an answer (heartbeat, submit): its holder not offboarded or
# erased, its vendor not terminated, its project not closed, harmful content still accepted. The change that breaks one releases
# the leases it concerns (events.py, service/projects.py); submit checks them too, so an answer racing
# that release is refused rather than stored.
SUBMIT_PRECONDITIONS: tuple[Precondition, ...] = (
    Precondition("contributor_not_gone", "cp.status <> 'offboarded' AND NOT cp.erased", "not_active"),
    Precondition(
        "vendor_not_terminated",
        f"cp.vendor_id IS NULL OR {VENDOR_STATUS} <> 'terminated'",
        "vendor_not_active",
    ),
    Precondition("project_open", f"p.status NOT IN {CLOSED}", "project_closed"),
    HARMFUL_CONTENT_ACCEPTED,
)

# Every reason a 204 from `next` can give: the preconditions', then an open task being leased to others
# and nothing left to do.
QUEUE_REASONS: tuple[str, ...] = tuple(
    dict.fromkeys([*(p.reason for p in PRECONDITIONS if p.error is None), "all_leased", "exhausted"])
)


def holds_columns(preconditions: tuple[Precondition, ...]) -> str:
    """One boolean column `ok_<name>` per precondition, for a statement's select list."""
    return ",\n".join(f"coalesce(({p.holds}), false) AS ok_{p.name}" for p in preconditions)


def holds_names(preconditions: tuple[Precondition, ...]) -> tuple[str, ...]:
    return tuple(f"ok_{p.name}" for p in preconditions)


# The lease context's columns and the condition under which it may claim.
HOLDS_COLUMNS = holds_columns(PRECONDITIONS)
HOLDS_NAMES = holds_names(PRECONDITIONS)
ALL_HOLD = " AND ".join(HOLDS_NAMES)


def first_failed(
    ctx: dict[str, Any], preconditions: tuple[Precondition, ...] = PRECONDITIONS
) -> Precondition | None:
    """The first precondition the context says does not hold, in the list's order."""
    return next((p for p in preconditions if not ctx[f"ok_{p.name}"]), None)


# The explanation's extra columns: every value a precondition compares, named `<rule>__<value>`.
SHOWN_COLUMNS = ",\n".join(f"{v.sql} AS {p.name}__{v.name}" for p in PRECONDITIONS for v in p.shows)
SHOWN_JSON = tuple(f"{p.name}__{v.name}" for p in PRECONDITIONS for v in p.shows if v.kind == "json")
SHOWN_BOOL = tuple(f"{p.name}__{v.name}" for p in PRECONDITIONS for v in p.shows if v.kind == "bool")
SHOWN_TIME = tuple(f"{p.name}__{v.name}" for p in PRECONDITIONS for v in p.shows if v.kind == "time")


def explanation(ctx: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Every precondition with whether it holds and the values it compared; the first that fails is
    the reason (as `next` would answer it)."""
    rules = [
        {
            "rule": p.name,
            "passed": bool(ctx[f"ok_{p.name}"]),
            "reason": p.reason,
            "compared": {v.name: ctx[f"{p.name}__{v.name}"] for v in p.shows},
        }
        for p in PRECONDITIONS
    ]
    failed = first_failed(ctx)
    retry = None if failed is None or failed.error is not None else failed.retry_after(ctx, now)
    return {
        "eligible": failed is None,
        "reason": None if failed is None else failed.reason,
        "retry_after": retry,
        "rules": rules,
    }
