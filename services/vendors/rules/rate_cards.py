"""Rate-card rules: graduated volume-tier pricing and rate-line matching."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from services.vendors.rules.money import ensure_decimal, quantize_money, validate_currency
from shared.languages import primary_language

UNITS: frozenset[str] = frozenset({"task", "hour", "item"})
WILDCARD_LANGUAGE = "*"


@dataclass(frozen=True)
class Tier:
    """A volume tier: units in ``[from_units, next tier's from_units)`` cost ``unit_price`` each."""

    from_units: Decimal
    unit_price: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "from_units", ensure_decimal(self.from_units, field="tier from_units"))
        object.__setattr__(self, "unit_price", ensure_decimal(self.unit_price, field="tier unit_price"))
        # The base price covers [0, first tier), so a tier starting at 0 would silently replace it.
        if self.from_units <= 0:
            raise ValueError(f"tier from_units must be > 0, got {self.from_units}")
        if self.unit_price < 0:
            raise ValueError(f"tier unit_price must be >= 0, got {self.unit_price}")


@dataclass(frozen=True)
class RateLine:
    """One rate-card line: a task type × language × unit with a base price and optional volume tiers.

    ``tiers`` may be given as ``Tier`` objects or ``(from_units, unit_price)`` pairs, in strictly
    increasing ``from_units`` order; they are stored as a tuple of ``Tier``.
    """

    task_type: str
    language: str
    unit: str
    unit_price: Decimal
    tiers: tuple[Tier, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.task_type:
            raise ValueError("task_type must not be empty")
        if not self.language:
            raise ValueError("language must not be empty (use '*' for any language)")
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {sorted(UNITS)}, got {self.unit!r}")
        object.__setattr__(self, "unit_price", ensure_decimal(self.unit_price, field="unit_price"))
        if self.unit_price < 0:
            raise ValueError(f"unit_price must be >= 0, got {self.unit_price}")
        tiers = tuple(t if isinstance(t, Tier) else Tier(*t) for t in self.tiers)
        for lower, upper in zip(tiers, tiers[1:], strict=False):
            if upper.from_units <= lower.from_units:
                raise ValueError(
                    f"tiers must have strictly increasing from_units, got {lower.from_units} "
                    f"then {upper.from_units}"
                )
        object.__setattr__(self, "tiers", tiers)


def price_for_units(line: RateLine, units: Decimal | int, currency: str) -> Decimal:
    """Return the total price of ``units`` under ``line`` with GRADUATED tiers, rounded to ``currency``.

    Graduated (marginal) pricing: each unit is priced by the tier it falls in, like income-tax
    brackets — the base price for units in ``[0, tiers[0].from_units)``, then each tier's price for
    units in ``[tier.from_units, next.from_units)``. Reaching a tier does NOT reprice the earlier
    units (that would be "volume"/all-units pricing). Fractional units (e.g. 7.5 hours) are priced
    pro rata; the exact total is rounded once, ROUND_HALF_UP, to the currency's minor unit.
    Example: base 0.50, tiers [(1000, 0.40)], 1500 units → 1000 × 0.50 + 500 × 0.40 = 700.00.
    """
    quantity = ensure_decimal(units, field="units")
    if quantity < 0:
        raise ValueError(f"units must be >= 0, got {quantity}")
    validate_currency(currency)
    bands: list[tuple[Decimal, Decimal]] = [(Decimal(0), line.unit_price)]
    bands += [(tier.from_units, tier.unit_price) for tier in line.tiers]
    total = Decimal(0)
    for index, (start, price) in enumerate(bands):
        if quantity <= start:
            break
        end = bands[index + 1][0] if index + 1 < len(bands) else quantity
        total += (min(quantity, end) - start) * price
    return quantize_money(total, currency)


def _language_key(language: str) -> str:
    # BCP 47 tags are case-insensitive ("en-US" and "en-us" are the same language).
    return language.casefold()


def match_rate_line(
    lines: Iterable[RateLine], *, task_type: str, language: str, unit: str
) -> RateLine | None:
    """Return the line for task type × language × unit, preferring the exact tag, then its language
    (an ``en`` line prices ``en-GB`` work), then ``'*'``; else None.

    Language comparison is case-insensitive (BCP 47). Two candidate lines at the same level mean
    the rate card is ambiguous and raise ``ValueError``.
    """
    wanted = _language_key(language)
    exact: list[RateLine] = []
    same_language: list[RateLine] = []
    wildcard: list[RateLine] = []
    for line in lines:
        if line.task_type != task_type or line.unit != unit:
            continue
        if _language_key(line.language) == wanted:
            exact.append(line)
        elif _language_key(line.language) == primary_language(wanted):
            same_language.append(line)
        elif line.language == WILDCARD_LANGUAGE:
            wildcard.append(line)
    for candidates in (exact, same_language, wildcard):
        if len(candidates) > 1:
            raise ValueError(
                f"ambiguous rate card: {len(candidates)} lines for task_type={task_type!r}, "
                f"language={candidates[0].language!r}, unit={unit!r}"
            )
        if candidates:
            return candidates[0]
    return None


def units_within(line: RateLine, amount: Decimal, currency: str) -> int:
    """The most whole units whose graduated price stays within ``amount`` (what a hard cap buys)."""
    if price_for_units(line, 1, currency) > amount:
        return 0
    low, high = 1, 2
    while price_for_units(line, high, currency) <= amount:
        low, high = high, high * 2
    while high - low > 1:  # price(low) <= amount < price(high)
        middle = (low + high) // 2
        if price_for_units(line, middle, currency) <= amount:
            low = middle
        else:
            high = middle
    return low
