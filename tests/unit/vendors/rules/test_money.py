from decimal import Decimal

import pytest

from services.vendors.rules.money import (
    CURRENCY_MINOR_UNITS,
    ensure_decimal,
    minor_units,
    quantize_money,
    validate_currency,
    zero,
)


@pytest.mark.parametrize(
    ("currency", "digits"),
    [("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3), ("USD", 2), ("EUR", 2), ("GBP", 2), ("INR", 2),
     ("PHP", 2), ("CLF", 4)],
)  # fmt: skip
def test_minor_units_follow_iso_4217(currency, digits):
    assert minor_units(currency) == digits


def test_unknown_currency_raises_value_error_naming_the_code():
    with pytest.raises(ValueError, match="XYZ"):
        minor_units("XYZ")


def test_currency_codes_are_case_sensitive():
    with pytest.raises(ValueError, match="'usd'"):
        validate_currency("usd")


def test_non_string_currency_is_a_type_error():
    with pytest.raises(TypeError):
        minor_units(840)


def test_table_holds_only_three_letter_uppercase_codes_with_sane_exponents():
    assert all(len(code) == 3 and code.isalpha() and code.isupper() for code in CURRENCY_MINOR_UNITS)
    assert set(CURRENCY_MINOR_UNITS.values()) <= {0, 2, 3, 4}


def test_table_is_read_only():
    with pytest.raises(TypeError):
        CURRENCY_MINOR_UNITS["XXX"] = 2  # type: ignore[index]


def test_half_rounds_up_not_to_even():
    # Banker's rounding would give 1.00 here.
    assert str(quantize_money(Decimal("1.005"), "USD")) == "1.01"


def test_below_half_rounds_down():
    assert str(quantize_money(Decimal("1.004999"), "USD")) == "1.00"


def test_jpy_rounds_to_whole_yen():
    assert str(quantize_money(Decimal("1234.5"), "JPY")) == "1235"


def test_kwd_rounds_to_three_decimals():
    assert str(quantize_money(Decimal("1.2345"), "KWD")) == "1.235"


def test_result_carries_the_currency_exponent():
    assert str(quantize_money(Decimal("2"), "BHD")) == "2.000"


def test_negative_half_rounds_away_from_zero():
    assert str(quantize_money(Decimal("-1.005"), "USD")) == "-1.01"


def test_negative_amount_rounding_to_zero_loses_its_sign():
    assert str(quantize_money(Decimal("-0.004"), "USD")) == "0.00"


def test_int_amount_is_accepted():
    assert str(quantize_money(5, "EUR")) == "5.00"


def test_amount_beyond_default_decimal_precision_is_rounded_not_rejected():
    amount = Decimal("12345678901234567890123456789.005")

    assert str(quantize_money(amount, "USD")) == "12345678901234567890123456789.01"


@pytest.mark.parametrize("amount", [1.1, 0.1 + 0.2])
def test_float_amount_is_a_type_error(amount):
    with pytest.raises(TypeError, match="float"):
        quantize_money(amount, "USD")


@pytest.mark.parametrize("amount", [True, "1.00", None])
def test_other_non_decimal_amounts_are_type_errors(amount):
    with pytest.raises(TypeError):
        quantize_money(amount, "USD")


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_non_finite_amount_is_a_value_error(amount):
    with pytest.raises(ValueError, match="finite"):
        quantize_money(amount, "USD")


def test_quantize_with_unknown_currency_raises():
    with pytest.raises(ValueError, match="ABC"):
        quantize_money(Decimal("1"), "ABC")


def test_zero_has_the_currency_exponent():
    assert (str(zero("USD")), str(zero("JPY")), str(zero("KWD"))) == ("0.00", "0", "0.000")


def test_ensure_decimal_names_the_field_in_errors():
    with pytest.raises(TypeError, match="unit_price"):
        ensure_decimal(0.5, field="unit_price")
