"""Recruitment funnel figures computed from plain applicant records."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from services.contributors.rules.datetimes import ensure_aware

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class FunnelRecord:
    """One applicant: when they applied, passed screening and were activated; datetimes are timezone-aware."""

    applied_at: datetime
    screened_at: datetime | None = None
    activated_at: datetime | None = None
    channel: str | None = None
    campaign: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "applied_at", ensure_aware(self.applied_at, "applied_at"))
        for name in ("screened_at", "activated_at"):
            value = getattr(self, name)
            if value is not None:
                value = ensure_aware(value, name)
                if value < self.applied_at:
                    raise ValueError(f"{name} is before applied_at")
                object.__setattr__(self, name, value)


@dataclass(frozen=True, slots=True)
class FunnelFigures:
    applied: int
    screened: int
    activated: int
    activation_rate: float | None
    median_seconds_to_activate: float | None
    cost_per_active: Decimal | None


def funnel_figures(
    records: Iterable[FunnelRecord], *, budget: Decimal | None = None, quantum: Decimal = CENT
) -> FunnelFigures:
    """Return funnel counts, activated/applied rate, median apply→activate seconds and budget per activated.

    A stage counts everyone who reached it or a later one, so an activated record without screened_at
    still counts as screened and the funnel never widens downstream. Rate and median are None with no
    applicant / no activation; cost_per_active is None without a budget or with no activation, and is
    rounded half-even to quantum (cents by default).
    """
    if budget is not None and not isinstance(budget, Decimal):
        # Money is never float: a float budget has already lost its exact value.
        raise ValueError(f"budget must be a Decimal, got {type(budget).__name__}")
    items = list(records)
    activated = [r for r in items if r.activated_at is not None]
    screened = [r for r in items if r.screened_at is not None or r.activated_at is not None]
    durations = [(r.activated_at - r.applied_at).total_seconds() for r in activated if r.activated_at]
    cost = None
    if budget is not None and activated:
        cost = (budget / len(activated)).quantize(quantum, rounding=ROUND_HALF_EVEN)
    return FunnelFigures(
        applied=len(items),
        screened=len(screened),
        activated=len(activated),
        activation_rate=len(activated) / len(items) if items else None,
        median_seconds_to_activate=statistics.median(durations) if durations else None,
        cost_per_active=cost,
    )


def funnel_by_channel(records: Iterable[FunnelRecord]) -> dict[str | None, FunnelFigures]:
    """Return funnel figures per source channel (None groups records without a channel)."""
    return {channel: funnel_figures(group) for channel, group in _group(records, lambda r: r.channel).items()}


def funnel_by_campaign(
    records: Iterable[FunnelRecord], *, budgets: Mapping[str, Decimal] | None = None, quantum: Decimal = CENT
) -> dict[str | None, FunnelFigures]:
    """Return funnel figures per campaign, costed with that campaign's budget when budgets names it."""
    budgets = budgets or {}
    return {
        campaign: funnel_figures(
            group, budget=budgets.get(campaign) if campaign is not None else None, quantum=quantum
        )
        for campaign, group in _group(records, lambda r: r.campaign).items()
    }


def _group(
    records: Iterable[FunnelRecord], key: Callable[[FunnelRecord], str | None]
) -> dict[str | None, list[FunnelRecord]]:
    groups: dict[str | None, list[FunnelRecord]] = defaultdict(list)
    for record in records:
        groups[key(record)].append(record)
    return dict(groups)
