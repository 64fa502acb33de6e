"""Money rules: ISO 4217 currencies, their minor units, and Decimal-only rounding.

Amounts are always ``decimal.Decimal`` (``int`` is accepted where exact); a ``float`` is refused
with ``TypeError`` because binary floating point cannot represent most decimal prices exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from types import MappingProxyType

# Minor units (digits after the decimal point) from the ISO 4217 list (SIX, amendment 2024).
# Only currencies an outsourcing vendor can plausibly bill in; add rows here, never guess at runtime.
_MINOR_UNITS: dict[str, int] = {
    # 0 decimals
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # 3 decimals
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # 4 decimals (Chilean unit of account)
    "CLF": 4,
    # 2 decimals
    "AED": 2, "ARS": 2, "AUD": 2, "BAM": 2, "BDT": 2, "BGN": 2, "BOB": 2, "BRL": 2, "CAD": 2,
    "CHF": 2, "CNY": 2, "COP": 2, "CRC": 2, "CZK": 2, "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2,
    "ETB": 2, "EUR": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GTQ": 2, "HKD": 2, "HUF": 2, "IDR": 2,
    "ILS": 2, "INR": 2, "JMD": 2, "KES": 2, "KHR": 2, "KZT": 2, "LKR": 2, "MAD": 2, "MMK": 2,
    "MXN": 2, "MYR": 2, "NGN": 2, "NOK": 2, "NPR": 2, "NZD": 2, "PEN": 2, "PHP": 2, "PKR": 2,
    "PLN": 2, "QAR": 2, "RON": 2, "RSD": 2, "RUB": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2,
    "TRY": 2, "TWD": 2, "TZS": 2, "UAH": 2, "USD": 2, "UYU": 2, "UZS": 2, "VES": 2, "ZAR": 2,
    "ZMW": 2,
}  # fmt: skip

CURRENCY_MINOR_UNITS: Mapping[str, int] = MappingProxyType(_MINOR_UNITS)
"""Read-only ISO 4217 alphabetic code → number of minor-unit digits."""


def minor_units(currency: str) -> int:
    """Return the number of decimal digits of ``currency``'s minor unit (ISO 4217, case-sensitive)."""
    if not isinstance(currency, str):
        raise TypeError(f"currency must be an ISO 4217 code string, not {type(currency).__name__}")
    try:
        return _MINOR_UNITS[currency]
    except KeyError:
        raise ValueError(f"unknown ISO 4217 currency code: {currency!r}") from None


def validate_currency(currency: str) -> str:
    """Return ``currency`` unchanged if it is a known ISO 4217 code, else raise ``ValueError`` naming it."""
    minor_units(currency)
    return currency


def ensure_decimal(value: Decimal | int, *, field: str = "amount") -> Decimal:
    """Return ``value`` as a finite ``Decimal``; ``float`` and ``bool`` raise ``TypeError``, NaN/inf ``ValueError``."""
    # bool is a subclass of int, and True as "1 unit" is always a caller bug.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{field} must be Decimal or int, not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{field} must be a finite number, got {value}")
    return result


def quantize_money(amount: Decimal | int, currency: str) -> Decimal:
    """Round ``amount`` to ``currency``'s minor unit with ROUND_HALF_UP (halves away from zero)."""
    value = ensure_decimal(amount)
    exponent = Decimal(1).scaleb(-minor_units(currency))
    with localcontext() as ctx:
        # quantize() raises InvalidOperation when the result needs more digits than the context
        # precision (28 by default), so widen it for very large amounts instead of failing.
        ctx.prec = max(ctx.prec, value.adjusted() + minor_units(currency) + 2)
        result = value.quantize(exponent, rounding=ROUND_HALF_UP)
    # -0.001 rounds to -0.00; a negative zero on an invoice reads as a credit, so drop the sign.
    return result.copy_abs() if result.is_zero() else result


def zero(currency: str) -> Decimal:
    """Return zero with ``currency``'s number of decimal places (e.g. ``Decimal('0.00')`` for USD)."""
    return quantize_money(Decimal(0), currency)
