"""Invoice reconciliation: units a vendor claims vs accepted units measured by the tasks service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.vendors.rules.money import ensure_decimal, quantize_money, validate_currency, zero
from services.vendors.rules.rate_cards import UNITS

WorkKey = tuple[str, str]
"""(task_type, language) — the grain at which the tasks service measures accepted units."""


class LineStatus(StrEnum):
    MATCHED = "matched"
    OVER_CLAIMED = "over_claimed"
    UNDER_CLAIMED = "under_claimed"
    UNMEASURED = "unmeasured"


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
class ReconciledLine:
    """A claimed line (or unclaimed measured work) with its measurement, amounts and status.

    ``unit_difference`` = claimed − measured and ``discrepancy`` = amount_claimed − amount_supported,
    so positive values mean the vendor billed more than the measurement supports.
    """

    task_type: str
    language: str
    unit: str | None
    claimed: bool
    units_claimed: Decimal
    units_measured: Decimal
    unit_difference: Decimal
    claimed_unit_price: Decimal | None
    contracted_unit_price: Decimal | None
    amount_claimed: Decimal
    amount_supported: Decimal
    discrepancy: Decimal
    status: LineStatus
    price_mismatch: bool


@dataclass(frozen=True)
class InvoiceReconciliation:
    """All reconciled lines plus totals; totals are sums of the already-rounded line amounts."""

    currency: str
    lines: tuple[ReconciledLine, ...]
    total_claimed: Decimal
    total_supported: Decimal
    total_discrepancy: Decimal
    has_discrepancies: bool


def _key(task_type: str, language: str) -> WorkKey:
    # BCP 47 language tags are case-insensitive; measurement and invoice may spell them differently.
    return (task_type, language.casefold())


def _by_work(values: Mapping[WorkKey, Decimal | int], *, what: str) -> dict[WorkKey, Decimal]:
    """`values` keyed by normalised work, each a non-negative Decimal; `what` names them in errors."""
    result: dict[WorkKey, Decimal] = {}
    for (task_type, language), raw in values.items():
        key = _key(task_type, language)
        if key in result:
            raise ValueError(f"{what} given twice for ({task_type!r}, {language!r})")
        value = ensure_decimal(raw, field=what)
        if value < 0:
            raise ValueError(f"{what} must be >= 0, got {value} for ({task_type!r}, {language!r})")
        result[key] = value
    return result


def reconcile_invoice(
    claimed_lines: Sequence[ClaimedLine],
    measured_units: Mapping[WorkKey, Decimal | int],
    prices: Mapping[WorkKey, Decimal],
    currency: str,
    *,
    tolerance: Decimal | int = 0,
) -> InvoiceReconciliation:
    """Compare each claimed line with the accepted units measured for its (task_type, language).

    Rules:
    - amount_claimed = units_claimed × claimed unit_price; amount_supported = units_measured × the
      contracted price from ``prices`` (falling back to the claimed unit_price when the contract has
      no price for that work); both rounded to ``currency`` before totals are summed.
    - status: ``unmeasured`` when the tasks service reported nothing for the key; ``matched`` when
      |claimed − measured| ≤ ``tolerance`` units; otherwise ``over_claimed`` or ``under_claimed``.
      ``price_mismatch`` flags a claimed unit price that differs from the contracted one.
    - measured work (> 0 units) that no line claims becomes its own line (``claimed=False``,
      status ``under_claimed``), priced at the contracted price, which must then exist in ``prices``.
    - at most one claimed line per (task_type, language): measurement has no finer grain.
    Lines keep the invoice order; unclaimed work follows, sorted by (task_type, language).
    """
    validate_currency(currency)
    slack = ensure_decimal(tolerance, field="tolerance")
    if slack < 0:
        raise ValueError(f"tolerance must be >= 0 units, got {slack}")
    measured = _by_work(measured_units, what="measured units")
    contracted = _by_work(prices, what="contracted unit price")

    lines: list[ReconciledLine] = []
    claimed_keys: set[WorkKey] = set()
    for claim in claimed_lines:
        key = _key(claim.task_type, claim.language)
        if key in claimed_keys:
            raise ValueError(
                f"invoice claims ({claim.task_type!r}, {claim.language!r}) on more than one line"
            )
        claimed_keys.add(key)
        units_measured = measured.get(key, Decimal(0))
        difference = claim.units_claimed - units_measured
        if key not in measured:
            status = LineStatus.UNMEASURED
        elif abs(difference) <= slack:
            status = LineStatus.MATCHED
        elif difference > 0:
            status = LineStatus.OVER_CLAIMED
        else:
            status = LineStatus.UNDER_CLAIMED
        contract_price = contracted.get(key)
        supported_price = claim.unit_price if contract_price is None else contract_price
        amount_claimed = quantize_money(claim.units_claimed * claim.unit_price, currency)
        amount_supported = quantize_money(units_measured * supported_price, currency)
        lines.append(
            ReconciledLine(
                task_type=claim.task_type,
                language=claim.language,
                unit=claim.unit,
                claimed=True,
                units_claimed=claim.units_claimed,
                units_measured=units_measured,
                unit_difference=difference,
                claimed_unit_price=claim.unit_price,
                contracted_unit_price=contract_price,
                amount_claimed=amount_claimed,
                amount_supported=amount_supported,
                discrepancy=amount_claimed - amount_supported,
                status=status,
                price_mismatch=contract_price is not None and contract_price != claim.unit_price,
            )
        )

    unclaimed = sorted(
        ((task_type, language), measured[_key(task_type, language)])
        for task_type, language in measured_units
        if _key(task_type, language) not in claimed_keys and measured[_key(task_type, language)] > 0
    )
    for (task_type, language), units_measured in unclaimed:
        contract_price = contracted.get(_key(task_type, language))
        if contract_price is None:
            raise ValueError(
                f"measured work ({task_type!r}, {language!r}) is not claimed and has no contracted price"
            )
        amount_supported = quantize_money(units_measured * contract_price, currency)
        lines.append(
            ReconciledLine(
                task_type=task_type,
                language=language,
                unit=None,
                claimed=False,
                units_claimed=Decimal(0),
                units_measured=units_measured,
                unit_difference=-units_measured,
                claimed_unit_price=None,
                contracted_unit_price=contract_price,
                amount_claimed=zero(currency),
                amount_supported=amount_supported,
                discrepancy=zero(currency) - amount_supported,
                status=LineStatus.UNDER_CLAIMED,
                price_mismatch=False,
            )
        )

    total_claimed = sum((line.amount_claimed for line in lines), zero(currency))
    total_supported = sum((line.amount_supported for line in lines), zero(currency))
    return InvoiceReconciliation(
        currency=currency,
        lines=tuple(lines),
        total_claimed=total_claimed,
        total_supported=total_supported,
        total_discrepancy=total_claimed - total_supported,
        has_discrepancies=any(line.status is not LineStatus.MATCHED or line.price_mismatch for line in lines),
    )
