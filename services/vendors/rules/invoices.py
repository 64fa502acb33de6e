"""Invoice reconciliation and approval: what a vendor claims vs what the tasks service measured, priced
day by day at the contract in force that day.

A finance team signs the result, so nothing is priced by assumption: work on a day no contract covers,
or that the contract in force has no rate for, is *unpriced* (flagged, supported at nothing) — never
priced at the vendor's own claimed price. Task and item lines are measured in accepted units, hour lines
in the hours measured on the accepted units (the labelers' recorded handling time).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from services.vendors.rules.money import ensure_decimal, quantize_money, validate_currency, zero
from services.vendors.rules.rate_cards import UNITS, RateLine, match_rate_line, price_for_units

WorkKey = tuple[str, str]
"""(task_type, language) — the grain at which the tasks service measures accepted units."""

# Hours are measured to 0.36 s; finer would print noise, coarser would misprice long lines.
HOUR_QUANTUM = Decimal("0.0001")
SECONDS_PER_HOUR = Decimal(3600)
# Which rate line prices work nobody claimed: the first unit the contract has a rate in.
UNCLAIMED_UNIT_ORDER = ("task", "item", "hour")


class LineStatus(StrEnum):
    MATCHED = "matched"
    OVER_CLAIMED = "over_claimed"
    UNDER_CLAIMED = "under_claimed"
    UNMEASURED = "unmeasured"


class ApprovalBasis(StrEnum):
    RECONCILED = "reconciled"  # no open discrepancy: the claim is what the measurement supports
    OVERRIDE = "override"  # open discrepancies, approved as claimed for a stated reason
    SUPPORTED = "supported"  # open discrepancies, approved at what the measurement supports


@dataclass(frozen=True)
class ClaimedLine:
    """One invoice line as submitted by the vendor."""

    task_type: str
    language: str
    unit: str
    units_claimed: Decimal
    unit_price: Decimal

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {sorted(UNITS)}, got {self.unit!r}")
        units = ensure_decimal(self.units_claimed, field="units_claimed")
        price = ensure_decimal(self.unit_price, field="unit_price")
        if units < 0:
            raise ValueError(f"units_claimed must be >= 0, got {units}")
        if price < 0:
            raise ValueError(f"unit_price must be >= 0, got {price}")
        object.__setattr__(self, "units_claimed", units)
        object.__setattr__(self, "unit_price", price)


@dataclass(frozen=True)
class DayMeasure:
    """What the tasks service measured for one vendor on one UTC day for one (task_type, language)."""

    day: date
    task_type: str
    language: str
    accepted_units: Decimal
    handling_seconds: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("accepted_units", "handling_seconds"):
            value = ensure_decimal(getattr(self, name), field=name)
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class ContractTerms:
    """A contract's dates, currency and rate card: what prices the days it covers."""

    contract_id: int
    starts_on: date
    ends_on: date
    currency: str
    rate_lines: tuple[RateLine, ...] = ()


@dataclass(frozen=True)
class ContractSpan:
    """Consecutive days of the period under one contract (``contract_id`` None: no contract in force)."""

    contract_id: int | None
    first_day: date
    last_day: date


@dataclass(frozen=True)
class PricedSpan:
    """The part of a line measured within one contract span, and what that contract makes of it.

    ``unit_price`` is None (and ``amount`` zero) when the span is unpriced: no contract, or no rate.
    """

    contract_id: int | None
    first_day: date
    last_day: date
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class ReconciledLine:
    """A claimed line (or unclaimed measured work) with its measurement, amounts and status.

    ``unit_difference`` = claimed − measured and ``discrepancy`` = amount_claimed − amount_supported,
    so positive values mean the vendor billed more than the measurement supports. ``units_unpriced``
    is the part of ``units_measured`` no contract prices.
    """

    task_type: str
    language: str
    unit: str | None
    claimed: bool
    measure: str
    units_claimed: Decimal
    units_measured: Decimal
    units_unpriced: Decimal
    unit_difference: Decimal
    claimed_unit_price: Decimal | None
    contracted_unit_price: Decimal | None
    amount_claimed: Decimal
    amount_supported: Decimal
    discrepancy: Decimal
    status: LineStatus
    price_mismatch: bool
    pricing: tuple[PricedSpan, ...]

    @property
    def unpriced(self) -> bool:
        return self.units_unpriced > 0

    @property
    def open(self) -> bool:
        """Whether this line keeps the invoice from reconciling as claimed."""
        return self.status is not LineStatus.MATCHED or self.price_mismatch or self.unpriced


@dataclass(frozen=True)
class UnpricedWork:
    """Measured work nobody claimed and no contract prices: flagged, never priced."""

    task_type: str
    language: str
    units_measured: Decimal
    hours_measured: Decimal
    first_day: date
    last_day: date


@dataclass(frozen=True)
class InvoiceReconciliation:
    """All reconciled lines plus totals; totals are sums of the already-rounded line amounts.

    ``supported_claim`` is what the measurement supports of the claim, line by line never more than a
    line claims: what approving without an override pays.
    """

    currency: str
    contract_spans: tuple[ContractSpan, ...]
    lines: tuple[ReconciledLine, ...]
    unpriced_work: tuple[UnpricedWork, ...]
    total_claimed: Decimal
    total_supported: Decimal
    total_discrepancy: Decimal
    supported_claim: Decimal
    has_discrepancies: bool

    @property
    def days_without_contract(self) -> tuple[ContractSpan, ...]:
        return tuple(span for span in self.contract_spans if span.contract_id is None)


@dataclass(frozen=True)
class Approval:
    basis: ApprovalBasis
    amount: Decimal
    override_reason: str | None


def _key(task_type: str, language: str) -> WorkKey:
    # BCP 47 language tags are case-insensitive; measurement and invoice may spell them differently.
    return (task_type, language.casefold())


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def last_day_in_force(ends_on: date, statuses: Sequence[tuple[str, date]]) -> date | None:
    """The last day a contract was in force: its end date, or the day it left ``active`` (expired or
    terminated early) if sooner; None when it was never active.

    ``statuses`` are its recorded states, oldest first, each with the UTC day it was recorded. The day
    it left counts as in force: the contract held for part of it.
    """
    was_active = False
    for status, day in statuses:
        if status == "active":
            was_active = True
        elif was_active:
            return min(ends_on, day)
    return ends_on if was_active else None


def contract_spans(
    period_start: date, period_end: date, contracts: Sequence[ContractTerms], currency: str
) -> tuple[ContractSpan, ...]:
    """Split the period into runs of days under the same contract.

    A day is under the first contract in ``contracts`` that covers it (callers order them by
    precedence) in the invoice's ``currency``; a contract in another currency cannot price the invoice,
    so its days count as without a contract.
    """
    if period_end < period_start:
        raise ValueError(f"period ends ({period_end}) before it starts ({period_start})")
    usable = [c for c in contracts if c.currency == currency]
    spans: list[ContractSpan] = []
    for day in _days(period_start, period_end):
        contract_id = next((c.contract_id for c in usable if c.starts_on <= day <= c.ends_on), None)
        if spans and spans[-1].contract_id == contract_id:
            spans[-1] = ContractSpan(contract_id, spans[-1].first_day, day)
        else:
            spans.append(ContractSpan(contract_id, day, day))
    return tuple(spans)


def hours_of(seconds: Decimal) -> Decimal:
    return (seconds / SECONDS_PER_HOUR).quantize(HOUR_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass
class _Measured:
    units: dict[date, Decimal]
    seconds: dict[date, Decimal]

    def quantity(self, unit: str, span: ContractSpan) -> Decimal:
        days = [d for d in self.units.keys() | self.seconds.keys() if span.first_day <= d <= span.last_day]
        if unit == "hour":
            return hours_of(sum((self.seconds.get(d, Decimal(0)) for d in days), Decimal(0)))
        return sum((self.units.get(d, Decimal(0)) for d in days), Decimal(0))


def _measured_by_work(
    measures: Sequence[DayMeasure], period_start: date, period_end: date
) -> dict[WorkKey, _Measured]:
    result: dict[WorkKey, _Measured] = defaultdict(lambda: _Measured({}, {}))
    for m in measures:
        if not period_start <= m.day <= period_end:
            raise ValueError(f"measurement of {m.day} is outside the period {period_start}..{period_end}")
        work = result[_key(m.task_type, m.language)]
        if m.day in work.units:
            raise ValueError(f"measured twice on {m.day} for ({m.task_type!r}, {m.language!r})")
        work.units[m.day] = m.accepted_units
        work.seconds[m.day] = m.handling_seconds
    return dict(result)


def _price_spans(
    *,
    task_type: str,
    language: str,
    unit: str,
    measured: _Measured | None,
    spans: Sequence[ContractSpan],
    contracts: Mapping[int, ContractTerms],
    currency: str,
) -> tuple[PricedSpan, ...]:
    """Each span with measured work for the line, priced by its contract's rate for task × language × unit
    (graduated tiers over that span's volume)."""
    priced = []
    for span in spans:
        quantity = Decimal(0) if measured is None else measured.quantity(unit, span)
        if quantity == 0:
            continue
        rate = None
        if span.contract_id is not None:
            rate = match_rate_line(
                contracts[span.contract_id].rate_lines, task_type=task_type, language=language, unit=unit
            )
        amount = zero(currency) if rate is None else price_for_units(rate, quantity, currency)
        priced.append(
            PricedSpan(
                contract_id=span.contract_id,
                first_day=span.first_day,
                last_day=span.last_day,
                quantity=quantity,
                unit_price=None if rate is None else rate.unit_price,
                amount=amount,
            )
        )
    return tuple(priced)


def _status(*, measured: bool, difference: Decimal, slack: Decimal) -> LineStatus:
    if not measured:
        return LineStatus.UNMEASURED
    if abs(difference) <= slack:
        return LineStatus.MATCHED
    return LineStatus.OVER_CLAIMED if difference > 0 else LineStatus.UNDER_CLAIMED


def _contracted_price(pricing: Sequence[PricedSpan]) -> Decimal | None:
    """The one base price the contracts set for the line, or None (unpriced, or several prices)."""
    prices = {p.unit_price for p in pricing if p.unit_price is not None}
    return prices.pop() if len(prices) == 1 else None


def _unclaimed_unit(
    task_type: str, language: str, span: ContractSpan, contracts: Mapping[int, ContractTerms]
) -> str | None:
    if span.contract_id is None:
        return None
    lines = contracts[span.contract_id].rate_lines
    return next(
        (u for u in UNCLAIMED_UNIT_ORDER
         if match_rate_line(lines, task_type=task_type, language=language, unit=u) is not None),
        None,
    )  # fmt: skip


def reconcile_invoice(
    claimed_lines: Sequence[ClaimedLine],
    measures: Sequence[DayMeasure],
    contracts: Sequence[ContractTerms],
    currency: str,
    *,
    period_start: date,
    period_end: date,
    tolerance: Decimal | int = 0,
) -> InvoiceReconciliation:
    """Compare each claimed line with what was measured for its (task_type, language) in the period,
    pricing every day at the contract in force that day.

    Rules:
    - the measure of a line follows its unit: accepted units for ``task`` and ``item``, hours measured
      on the accepted units (seconds / 3600, to 0.0001 h) for ``hour``.
    - amount_claimed = units_claimed × claimed unit_price; amount_supported = per contract span, the
      span's measured quantity priced by that contract's rate for task × language × unit (graduated
      tiers over the span's volume); each rounded to ``currency`` before totals are summed.
    - measured quantity on days without a contract, or under a contract with no such rate, is
      ``units_unpriced``: supported at nothing and flagged — never at the vendor's claimed price.
    - status: ``unmeasured`` when the tasks service reported nothing for the work; ``matched`` when
      |claimed − measured| ≤ ``tolerance``; otherwise ``over_claimed`` or ``under_claimed``.
      ``price_mismatch`` flags a claimed unit price that differs from a contracted base price.
    - measured work no line claims becomes its own lines (``claimed=False``, ``under_claimed``), one
      per unit the contracts price it in (task, else item, else hour); what no contract prices is
      listed in ``unpriced_work`` instead.
    - at most one claimed line per (task_type, language): measurement has no finer grain.
    Lines keep the invoice order; unclaimed work follows, sorted by (task_type, language, unit).
    """
    validate_currency(currency)
    slack = ensure_decimal(tolerance, field="tolerance")
    if slack < 0:
        raise ValueError(f"tolerance must be >= 0 units, got {slack}")
    spans = contract_spans(period_start, period_end, contracts, currency)
    by_id = {c.contract_id: c for c in contracts}
    measured = _measured_by_work(measures, period_start, period_end)
    spelled: dict[WorkKey, tuple[str, str]] = {}
    for m in measures:
        spelled.setdefault(_key(m.task_type, m.language), (m.task_type, m.language))

    lines: list[ReconciledLine] = []
    claimed_keys: set[WorkKey] = set()
    for claim in claimed_lines:
        key = _key(claim.task_type, claim.language)
        if key in claimed_keys:
            raise ValueError(
                f"invoice claims ({claim.task_type!r}, {claim.language!r}) on more than one line"
            )
        claimed_keys.add(key)
        pricing = _price_spans(
            task_type=claim.task_type, language=claim.language, unit=claim.unit, measured=measured.get(key),
            spans=spans, contracts=by_id, currency=currency,
        )  # fmt: skip
        units_measured = sum((p.quantity for p in pricing), Decimal(0))
        difference = claim.units_claimed - units_measured
        contract_price = _contracted_price(pricing)
        amount_claimed = quantize_money(claim.units_claimed * claim.unit_price, currency)
        amount_supported = sum((p.amount for p in pricing), zero(currency))
        lines.append(
            ReconciledLine(
                task_type=claim.task_type,
                language=claim.language,
                unit=claim.unit,
                claimed=True,
                measure="handling_hours" if claim.unit == "hour" else "accepted_units",
                units_claimed=claim.units_claimed,
                units_measured=units_measured,
                units_unpriced=sum((p.quantity for p in pricing if p.unit_price is None), Decimal(0)),
                unit_difference=difference,
                claimed_unit_price=claim.unit_price,
                contracted_unit_price=contract_price,
                amount_claimed=amount_claimed,
                amount_supported=amount_supported,
                discrepancy=amount_claimed - amount_supported,
                status=_status(measured=key in measured, difference=difference, slack=slack),
                price_mismatch=any(p.unit_price not in (None, claim.unit_price) for p in pricing),
                pricing=pricing,
            )
        )

    unclaimed_lines: list[ReconciledLine] = []
    unpriced_work: list[UnpricedWork] = []
    for key in sorted(measured.keys() - claimed_keys):
        task_type, language = spelled[key]
        work = measured[key]
        by_unit: dict[str, list[ContractSpan]] = defaultdict(list)
        unpriced_spans = []
        for span in spans:
            unit = _unclaimed_unit(task_type, language, span, by_id)
            (by_unit[unit] if unit is not None else unpriced_spans).append(span)
        for unit, unit_spans in sorted(by_unit.items()):
            pricing = _price_spans(task_type=task_type, language=language, unit=unit, measured=work,
                                   spans=unit_spans, contracts=by_id, currency=currency)  # fmt: skip
            units_measured = sum((p.quantity for p in pricing), Decimal(0))
            if units_measured == 0:
                continue
            amount_supported = sum((p.amount for p in pricing), zero(currency))
            unclaimed_lines.append(
                ReconciledLine(
                    task_type=task_type,
                    language=language,
                    unit=unit,
                    claimed=False,
                    measure="handling_hours" if unit == "hour" else "accepted_units",
                    units_claimed=Decimal(0),
                    units_measured=units_measured,
                    units_unpriced=Decimal(0),
                    unit_difference=-units_measured,
                    claimed_unit_price=None,
                    contracted_unit_price=_contracted_price(pricing),
                    amount_claimed=zero(currency),
                    amount_supported=amount_supported,
                    discrepancy=zero(currency) - amount_supported,
                    status=LineStatus.UNDER_CLAIMED,
                    price_mismatch=False,
                    pricing=pricing,
                )
            )
        units = sum((work.quantity("task", s) for s in unpriced_spans), Decimal(0))
        seconds = sum(
            (
                v
                for d, v in work.seconds.items()
                if any(s.first_day <= d <= s.last_day for s in unpriced_spans)
            ),
            Decimal(0),
        )
        if units > 0 or seconds > 0:
            days = sorted(
                d for d in work.units.keys() | work.seconds.keys()
                if any(s.first_day <= d <= s.last_day for s in unpriced_spans)
            )  # fmt: skip
            unpriced_work.append(
                UnpricedWork(task_type, language, units, hours_of(seconds), days[0], days[-1])
            )
    lines += sorted(unclaimed_lines, key=lambda line: (line.task_type, line.language, line.unit or ""))

    total_claimed = sum((line.amount_claimed for line in lines), zero(currency))
    total_supported = sum((line.amount_supported for line in lines), zero(currency))
    supported_claim = sum(
        (min(line.amount_claimed, line.amount_supported) for line in lines if line.claimed), zero(currency)
    )
    return InvoiceReconciliation(
        currency=currency,
        contract_spans=spans,
        lines=tuple(lines),
        unpriced_work=tuple(unpriced_work),
        total_claimed=total_claimed,
        total_supported=total_supported,
        total_discrepancy=total_claimed - total_supported,
        supported_claim=supported_claim,
        has_discrepancies=any(line.open for line in lines) or bool(unpriced_work),
    )


def decide_approval(reconciliation: InvoiceReconciliation, *, override_reason: str | None) -> Approval:
    """What approving pays: the claim when it reconciles, or when open discrepancies are overridden with
    a reason; otherwise only what the measurement supports of the claim (``supported_claim``)."""
    reason = (override_reason or "").strip() or None
    if not reconciliation.has_discrepancies:
        return Approval(ApprovalBasis.RECONCILED, reconciliation.total_claimed, reason)
    if reason is not None:
        return Approval(ApprovalBasis.OVERRIDE, reconciliation.total_claimed, reason)
    return Approval(ApprovalBasis.SUPPORTED, reconciliation.supported_claim, None)
