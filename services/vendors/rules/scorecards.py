"""Vendor scorecards: measured performance vs contract SLA terms, attainment and service credits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from services.vendors.rules.kpis import quantised
from services.vendors.rules.money import ensure_decimal, quantize_money, validate_currency
from shared.errors import ServiceUnavailable

_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_RATIO_PLACES = Decimal("0.0001")


class Term(StrEnum):
    """An SLA term; quality and productivity are floors, turnaround and exposure are ceilings."""

    QUALITY = "quality"
    TURNAROUND_HOURS = "turnaround_hours"
    PRODUCTIVITY_PER_HOUR = "productivity_per_hour"
    DAILY_EXPOSURE_MINUTES = "daily_exposure_minutes"


_FLOORS = frozenset({Term.QUALITY, Term.PRODUCTIVITY_PER_HOUR})


def _optional_decimal(value: Decimal | int | None, field: str) -> Decimal | None:
    return None if value is None else ensure_decimal(value, field=field)


@dataclass(frozen=True)
class CreditRule:
    """``percent_per_point`` % of the period's invoice per point of shortfall on ``term``, capped at ``cap_percent`` %.

    A point is an absolute percentage point of quality for ``quality`` (target 0.95, measured 0.92
    → 3 points) and a percentage point of attainment for the other terms (attainment 0.80 → 20
    points). Fractional points count pro rata.
    """

    term: Term
    percent_per_point: Decimal
    cap_percent: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "term", Term(self.term))
        per_point = ensure_decimal(self.percent_per_point, field="percent_per_point")
        cap = ensure_decimal(self.cap_percent, field="cap_percent")
        if per_point < 0:
            raise ValueError(f"percent_per_point must be >= 0, got {per_point}")
        if not 0 <= cap <= _HUNDRED:
            raise ValueError(f"cap_percent must be within 0..100, got {cap}")
        object.__setattr__(self, "percent_per_point", per_point)
        object.__setattr__(self, "cap_percent", cap)


@dataclass(frozen=True)
class SLATerms:
    """Contract SLA targets (each optional) and the credit rules that apply when they are missed."""

    min_quality: Decimal | None = None
    max_turnaround_hours: Decimal | None = None
    min_productivity_per_hour: Decimal | None = None
    max_daily_exposure_minutes: Decimal | None = None
    credit_rules: tuple[CreditRule, ...] = ()
    max_total_credit_percent: Decimal = _HUNDRED

    def __post_init__(self) -> None:
        quality = _optional_decimal(self.min_quality, "min_quality")
        if quality is not None and not 0 <= quality <= 1:
            raise ValueError(f"min_quality must be within 0..1, got {quality}")
        object.__setattr__(self, "min_quality", quality)
        for name in ("max_turnaround_hours", "min_productivity_per_hour", "max_daily_exposure_minutes"):
            value = _optional_decimal(getattr(self, name), name)
            # A ceiling of 0 can never be met and a floor of 0 is no term at all: both are typos.
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be > 0, got {value}")
            object.__setattr__(self, name, value)
        rules = tuple(self.credit_rules)
        seen: set[Term] = set()
        for rule in rules:
            if rule.term in seen:
                raise ValueError(f"more than one credit rule for {rule.term.value}")
            seen.add(rule.term)
            if self.target(rule.term) is None:
                raise ValueError(f"credit rule for {rule.term.value} but the contract sets no such term")
        object.__setattr__(self, "credit_rules", rules)
        total_cap = ensure_decimal(self.max_total_credit_percent, field="max_total_credit_percent")
        if not 0 <= total_cap <= _HUNDRED:
            raise ValueError(f"max_total_credit_percent must be within 0..100, got {total_cap}")
        object.__setattr__(self, "max_total_credit_percent", total_cap)

    def target(self, term: Term) -> Decimal | None:
        """Return the contract target for ``term``, or None when the contract does not set it."""
        return {
            Term.QUALITY: self.min_quality,
            Term.TURNAROUND_HOURS: self.max_turnaround_hours,
            Term.PRODUCTIVITY_PER_HOUR: self.min_productivity_per_hour,
            Term.DAILY_EXPOSURE_MINUTES: self.max_daily_exposure_minutes,
        }[term]


@dataclass(frozen=True)
class Measured:
    """The period's measured figures (None = not measured).

    ``quality`` is a 0..1 ratio, ``turnaround_hours`` the figure the contract names (e.g. p90),
    ``daily_exposure_minutes`` the worst day's exposure in the period.
    """

    quality: Decimal | None = None
    turnaround_hours: Decimal | None = None
    productivity_per_hour: Decimal | None = None
    daily_exposure_minutes: Decimal | None = None

    def __post_init__(self) -> None:
        for term in Term:
            value = _optional_decimal(getattr(self, term.value), term.value)
            if value is not None and value < 0:
                raise ValueError(f"measured {term.value} must be >= 0, got {value}")
            if term is Term.QUALITY and value is not None and value > 1:
                raise ValueError(f"measured quality must be within 0..1, got {value}")
            object.__setattr__(self, term.value, value)


def stat_number(stats: dict, name: str) -> Decimal | None:
    value = stats.get(name)
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ServiceUnavailable(f"the tasks service's {name} is not a number", service="tasks") from exc


def measured_from(stats: dict, *, days: int) -> Measured:
    """Map the tasks service's vendor KPIs (defined in services.tasks.rules.kpis) onto the SLA terms,
    each quantised to 4 places.

    quality = gold accuracy; turnaround = delivery turnaround in hours (a task's import → the vendor's
    delivered answer, averaged); productivity = answers per hour of handling time; wellness = exposure
    minutes per day of the period (the stats give a period total, so this is the daily average, not the
    worst day).
    """
    exposure = stats.get("exposure_minutes_by_severity") or {}
    exposure_total = sum((Decimal(str(v)) for v in exposure.values()), Decimal(0)) if exposure else None
    quality = stat_number(stats, "gold_accuracy")
    return Measured(
        quality=quantised(None if quality is None else min(max(quality, Decimal(0)), Decimal(1))),
        turnaround_hours=quantised(stat_number(stats, "delivery_turnaround_hours")),
        productivity_per_hour=quantised(stat_number(stats, "productivity_per_hour")),
        daily_exposure_minutes=quantised(None if exposure_total is None else exposure_total / days),
    )


@dataclass(frozen=True)
class TermResult:
    """One SLA term's outcome; ``met``/``attainment`` are None when the term was not measured."""

    term: Term
    target: Decimal
    measured: Decimal | None
    met: bool | None
    attainment: Decimal | None
    shortfall_points: Decimal | None
    credit_percent: Decimal


@dataclass(frozen=True)
class Scorecard:
    """Per-term results, overall attainment (mean of measured terms, 4 dp) and the resulting credit."""

    terms: tuple[TermResult, ...]
    overall_attainment: Decimal | None
    all_met: bool
    credit_percent: Decimal
    credit_amount: Decimal
    currency: str


def _attainment(term: Term, target: Decimal, measured: Decimal) -> Decimal:
    # Capped at 1 so over-delivering on one term cannot hide a miss on another in the overall mean.
    if term in _FLOORS:
        return _ONE if target == 0 else min(_ONE, measured / target)
    return _ONE if measured == 0 else min(_ONE, target / measured)


def _shortfall_points(term: Term, target: Decimal, measured: Decimal, attainment: Decimal) -> Decimal:
    if term is Term.QUALITY:
        return max(Decimal(0), (target - measured) * _HUNDRED)
    return (_ONE - attainment) * _HUNDRED


def _round_ratio(value: Decimal) -> Decimal:
    return value.quantize(_RATIO_PLACES, rounding=ROUND_HALF_UP)


def score_vendor(
    terms: SLATerms, measured: Measured, invoiced_amount: Decimal | int, currency: str
) -> Scorecard:
    """Score each contract term, average the attainments and turn missed terms into a service credit.

    Per term: met = measured ≥ target for floors (quality, productivity) and ≤ target for ceilings
    (turnaround, exposure); attainment = measured/target (floors) or target/measured (ceilings),
    capped at 1, shown to 4 dp (the overall mean uses unrounded values). Unmeasured terms are
    reported with met=None, left out of the mean and earn no credit. Credit % = Σ over rules of
    min(rule cap, points × percent_per_point), each rounded to 4 dp, then capped at
    ``max_total_credit_percent``; credit amount = invoiced × credit % / 100, rounded to ``currency``.
    """
    validate_currency(currency)
    invoiced = ensure_decimal(invoiced_amount, field="invoiced_amount")
    if invoiced < 0:
        raise ValueError(f"invoiced_amount must be >= 0, got {invoiced}")
    rules = {rule.term: rule for rule in terms.credit_rules}

    results: list[TermResult] = []
    attainments: list[Decimal] = []
    total_percent = Decimal(0)
    for term in Term:
        target = terms.target(term)
        if target is None:
            continue
        value: Decimal | None = getattr(measured, term.value)
        if value is None:
            results.append(TermResult(term, target, None, None, None, None, Decimal(0)))
            continue
        met = value >= target if term in _FLOORS else value <= target
        attainment = _attainment(term, target, value)
        points = _shortfall_points(term, target, value, attainment)
        rule = rules.get(term)
        # Rounded to 4 dp before summing so the published percentages reproduce the credit amount.
        credit = (
            Decimal(0)
            if rule is None
            else _round_ratio(min(rule.cap_percent, points * rule.percent_per_point))
        )
        attainments.append(attainment)
        total_percent += credit
        results.append(
            TermResult(term, target, value, met, _round_ratio(attainment), _round_ratio(points), credit)
        )

    overall = _round_ratio(sum(attainments, Decimal(0)) / len(attainments)) if attainments else None
    credit_percent = min(terms.max_total_credit_percent, total_percent)
    return Scorecard(
        terms=tuple(results),
        overall_attainment=overall,
        all_met=all(result.met is not False for result in results),
        credit_percent=credit_percent,
        credit_amount=quantize_money(invoiced * credit_percent / _HUNDRED, currency),
        currency=currency,
    )


@dataclass(frozen=True)
class LabelCost:
    """Unit economics of a period's labels; a ratio is None when its denominator is 0."""

    cost_per_accepted: Decimal | None
    cost_per_submitted: Decimal | None
    acceptance_rate: Decimal | None
    rejection_cost: Decimal | None


def _count(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{field} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{field} must be >= 0, got {value}")
    return value


def cost_per_accepted_label(
    total_cost: Decimal | int, accepted: int, rejected: int, *, places: int = 4
) -> LabelCost:
    """Return total cost ÷ accepted labels, with the share of cost spent on rejected labels.

    Rejected labels still cost money, so they raise the price of each accepted label:
    cost_per_accepted = cost / accepted, cost_per_submitted = cost / (accepted + rejected),
    acceptance_rate = accepted / submitted, rejection_cost = cost × rejected / submitted. Money
    figures are rounded ROUND_HALF_UP to ``places`` decimals (default 4: per-label costs are often
    below one cent), the rate to 4 decimals.
    """
    cost = ensure_decimal(total_cost, field="total_cost")
    if cost < 0:
        raise ValueError(f"total_cost must be >= 0, got {cost}")
    good = _count(accepted, "accepted")
    bad = _count(rejected, "rejected")
    if places < 0:
        raise ValueError(f"places must be >= 0, got {places}")
    step = Decimal(1).scaleb(-places)
    submitted = good + bad

    def rounded(value: Decimal) -> Decimal:
        return value.quantize(step, rounding=ROUND_HALF_UP)

    return LabelCost(
        cost_per_accepted=rounded(cost / good) if good else None,
        cost_per_submitted=rounded(cost / submitted) if submitted else None,
        acceptance_rate=_round_ratio(Decimal(good) / submitted) if submitted else None,
        rejection_cost=rounded(cost * bad / submitted) if submitted else None,
    )
