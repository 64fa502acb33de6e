"""The vendors service's KPIs, each defined once: the KPI report and the scorecards compute from these (the
README glossary says the same in words). The tasks service owns the work KPIs (services.tasks.rules.kpis);
what it measured reaches us over HTTP, and here it is only quantised, never redefined.

Cost per accepted label has two bases, named apart because they answer different questions:
- contracted: what the accepted labels cost at the contract's rate card (accepted units × contracted
  rate), over the accepted labels that have a contracted price;
- invoiced: what the vendor's approved invoices for the period charge, over the labels accepted in it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Per-label costs are often below one cent, so four places; measured figures carry the same precision.
COST_PLACES = Decimal("0.0001")
MEASURE_PLACES = Decimal("0.0001")


def quantised(value: Decimal | float | int | str | None, places: Decimal = MEASURE_PLACES) -> Decimal | None:
    """A measured figure as a Decimal to `places` (half up); None stays None (not measured)."""
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def _per_label(amount: Decimal | None, labels: Decimal | int) -> Decimal | None:
    labels = Decimal(labels)
    if amount is None or labels <= 0:
        return None  # unknown, not zero: nothing priced or nothing accepted
    return (Decimal(amount) / labels).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def contracted_cost_per_accepted_label(
    *, spend: Decimal | None, priced_units: Decimal | int
) -> Decimal | None:
    """Spend at contracted rates (accepted units × rate card) over the accepted units that were priced."""
    return _per_label(spend, priced_units)


def invoiced_cost_per_accepted_label(
    *, invoiced: Decimal | None, accepted_units: Decimal | int
) -> Decimal | None:
    """The period's approved invoice totals over the units accepted in the period."""
    return _per_label(invoiced, accepted_units)


# What each figure of the KPI report's vendor columns means, in words (a computed KPI in its function's own
# docstring, so words and code cannot drift apart). The gateway writes them on its report files' covers.
DEFINITIONS: dict[str, str] = {
    "spend": "Accepted units decided in the window × the rate of the contract in force at the window's start, "
    "in `currency` (empty when the work is paid in several currencies: see spend_by_currency).",
    "currency": "The currency of `spend`.",
    "spend_by_currency": "Spend per currency, when vendors paid in several currencies did the work.",
    "priced_units": "Accepted units that have a contracted price.",
    "unpriced_units": "Accepted units no contract prices (supported at nothing, never at a claimed price).",
    "cost_per_accepted_label_contracted": "Cost per accepted label, contracted: "
    + " ".join(contracted_cost_per_accepted_label.__doc__.split()),
}
