from decimal import Decimal as D

import pytest

from services.vendors.rules.invoices import ClaimedLine, LineStatus, reconcile_invoice


def claim(task_type="bbox", language="en", units=1000, price="0.50", unit="task") -> ClaimedLine:
    return ClaimedLine(task_type, language, unit, D(units), D(price))


def only_line(result):
    assert len(result.lines) == 1
    return result.lines[0]


def test_claim_equal_to_measurement_is_matched_with_no_discrepancy():
    result = reconcile_invoice([claim()], {("bbox", "en"): 1000}, {("bbox", "en"): D("0.50")}, "USD")

    line = only_line(result)
    assert (line.status, line.units_measured, line.unit_difference) == (LineStatus.MATCHED, 1000, 0)
    assert (str(line.amount_claimed), str(line.amount_supported), str(line.discrepancy)) == (
        "500.00",
        "500.00",
        "0.00",
    )


def test_claim_above_measurement_is_over_claimed_by_the_unsupported_amount():
    result = reconcile_invoice(
        [claim("transcription", "fr", 120, "15.00", unit="hour")],
        {("transcription", "fr"): 100},
        {("transcription", "fr"): D("15.00")},
        "EUR",
    )

    line = only_line(result)
    assert (line.status, line.unit_difference) == (LineStatus.OVER_CLAIMED, 20)
    assert (line.amount_claimed, line.amount_supported, line.discrepancy) == (
        D("1800.00"),
        D("1500.00"),
        D("300.00"),
    )


def test_claim_below_measurement_is_under_claimed_with_negative_discrepancy():
    result = reconcile_invoice(
        [claim("ner", "de", 400, "0.25", unit="item")],
        {("ner", "de"): 500},
        {("ner", "de"): D("0.25")},
        "USD",
    )

    line = only_line(result)
    assert (line.status, line.unit_difference) == (LineStatus.UNDER_CLAIMED, -100)
    assert (line.amount_claimed, line.amount_supported, line.discrepancy) == (
        D("100.00"),
        D("125.00"),
        D("-25.00"),
    )


def test_claim_with_no_measurement_is_unmeasured_and_wholly_unsupported():
    result = reconcile_invoice([claim("sentiment", "es", 50, "1.00")], {}, {}, "USD")

    line = only_line(result)
    assert (line.status, line.units_measured) == (LineStatus.UNMEASURED, 0)
    assert (line.amount_supported, line.discrepancy) == (D("0.00"), D("50.00"))


def test_measured_zero_is_over_claimed_not_unmeasured():
    result = reconcile_invoice([claim(units=10)], {("bbox", "en"): 0}, {}, "USD")

    assert only_line(result).status is LineStatus.OVER_CLAIMED


def test_difference_within_tolerance_is_matched_but_amounts_stay_exact():
    result = reconcile_invoice([claim(units=1002)], {("bbox", "en"): 1000}, {}, "USD", tolerance=2)

    line = only_line(result)
    assert (line.status, line.discrepancy) == (LineStatus.MATCHED, D("1.00"))


def test_difference_beyond_tolerance_is_flagged():
    result = reconcile_invoice([claim(units=1002)], {("bbox", "en"): 1000}, {}, "USD", tolerance=1)

    assert only_line(result).status is LineStatus.OVER_CLAIMED


def test_supported_amount_uses_the_contracted_price_and_flags_a_price_mismatch():
    result = reconcile_invoice(
        [claim(units=100, price="0.60")], {("bbox", "en"): 100}, {("bbox", "en"): D("0.50")}, "USD"
    )

    line = only_line(result)
    assert (line.status, line.price_mismatch) == (LineStatus.MATCHED, True)
    assert (line.amount_claimed, line.amount_supported, line.discrepancy) == (
        D("60.00"),
        D("50.00"),
        D("10.00"),
    )
    assert result.has_discrepancies is True


def test_without_contracted_price_the_claimed_price_is_used():
    result = reconcile_invoice([claim(units=100, price="0.60")], {("bbox", "en"): 90}, {}, "USD")

    line = only_line(result)
    assert (line.contracted_unit_price, line.price_mismatch, line.amount_supported) == (
        None,
        False,
        D("54.00"),
    )


def test_unclaimed_measured_work_gets_its_own_line_at_contracted_price():
    result = reconcile_invoice(
        [claim()], {("bbox", "en"): 1000, ("bbox", "ja"): 200}, {("bbox", "ja"): D("0.60")}, "USD"
    )

    extra = result.lines[1]
    assert (extra.task_type, extra.language, extra.claimed, extra.status) == (
        "bbox",
        "ja",
        False,
        LineStatus.UNDER_CLAIMED,
    )
    assert (extra.units_claimed, extra.units_measured, extra.unit_difference) == (0, 200, -200)
    assert (str(extra.amount_claimed), extra.amount_supported, extra.discrepancy) == (
        "0.00",
        D("120.00"),
        D("-120.00"),
    )


def test_unclaimed_zero_measurement_produces_no_line():
    result = reconcile_invoice([claim()], {("bbox", "en"): 1000, ("bbox", "ja"): 0}, {}, "USD")

    assert [line.language for line in result.lines] == ["en"]


def test_unclaimed_work_without_contracted_price_is_an_error_naming_it():
    with pytest.raises(ValueError, match="'ja'"):
        reconcile_invoice([], {("bbox", "ja"): 5}, {}, "USD")


def test_claimed_lines_keep_invoice_order_and_unclaimed_follow_sorted():
    measured = {("z", "en"): 1, ("b", "fr"): 1, ("b", "de"): 1, ("a", "en"): 1}
    prices = {key: D("1") for key in measured}

    result = reconcile_invoice([claim("z", "en", 1, "1"), claim("a", "en", 1, "1")], measured, prices, "USD")

    assert [(line.task_type, line.language) for line in result.lines] == [
        ("z", "en"),
        ("a", "en"),
        ("b", "de"),
        ("b", "fr"),
    ]


def test_language_matching_is_case_insensitive():
    result = reconcile_invoice([claim(language="en-US")], {("bbox", "en-us"): 1000}, {}, "USD")

    line = only_line(result)
    assert (line.language, line.status) == ("en-US", LineStatus.MATCHED)


def test_two_lines_for_the_same_work_are_rejected():
    with pytest.raises(ValueError, match="more than one line"):
        reconcile_invoice([claim(unit="task"), claim(unit="hour")], {}, {}, "USD")


def test_totals_sum_every_line_including_unclaimed_work():
    # given four claimed lines (matched, over, under, unmeasured) and one unclaimed measurement
    claims = [
        claim("bbox", "en", 1000, "0.50"),
        claim("transcription", "fr", 120, "15.00", unit="hour"),
        claim("ner", "de", 400, "0.25", unit="item"),
        claim("sentiment", "es", 50, "1.00"),
    ]
    measured = {("bbox", "en"): 1000, ("transcription", "fr"): 100, ("ner", "de"): 500, ("bbox", "ja"): 200}
    prices = {
        ("bbox", "en"): D("0.50"),
        ("transcription", "fr"): D("15.00"),
        ("ner", "de"): D("0.25"),
        ("bbox", "ja"): D("0.60"),
    }

    # when
    result = reconcile_invoice(claims, measured, prices, "USD")

    # then claimed 500 + 1800 + 100 + 50; supported 500 + 1500 + 125 + 0 + 120
    assert [line.status for line in result.lines] == [
        LineStatus.MATCHED,
        LineStatus.OVER_CLAIMED,
        LineStatus.UNDER_CLAIMED,
        LineStatus.UNMEASURED,
        LineStatus.UNDER_CLAIMED,
    ]
    assert (result.total_claimed, result.total_supported, result.total_discrepancy) == (
        D("2450.00"),
        D("2245.00"),
        D("205.00"),
    )
    assert result.has_discrepancies is True


def test_totals_are_sums_of_rounded_line_amounts():
    # each line is 3 × 0.335 = 1.005 → 1.01, so 2.02; rounding the exact total 2.010 would give 2.01
    claims = [claim("a", "en", 3, "0.335"), claim("b", "en", 3, "0.335")]

    result = reconcile_invoice(claims, {("a", "en"): 3, ("b", "en"): 3}, {}, "USD")

    assert (str(result.total_claimed), str(result.total_supported)) == ("2.02", "2.02")


def test_amounts_are_rounded_to_the_currency():
    result = reconcile_invoice([claim(units=3, price="12.5")], {("bbox", "en"): 3}, {}, "JPY")

    line = only_line(result)
    assert (str(line.amount_claimed), str(result.total_claimed)) == ("38", "38")


def test_all_matched_invoice_has_no_discrepancies():
    result = reconcile_invoice([claim()], {("bbox", "en"): 1000}, {("bbox", "en"): D("0.50")}, "USD")

    assert (result.has_discrepancies, result.total_discrepancy) == (False, D("0.00"))


def test_empty_invoice_and_no_measurement_totals_zero_in_currency_format():
    result = reconcile_invoice([], {}, {}, "KWD")

    assert (result.lines, str(result.total_claimed), result.has_discrepancies) == ((), "0.000", False)


def test_negative_tolerance_is_rejected():
    with pytest.raises(ValueError, match="tolerance"):
        reconcile_invoice([], {}, {}, "USD", tolerance=-1)


def test_float_units_in_claim_are_rejected():
    with pytest.raises(TypeError):
        ClaimedLine("bbox", "en", "task", 10.0, D("0.50"))


def test_negative_measured_units_are_rejected():
    with pytest.raises(ValueError, match="measured units"):
        reconcile_invoice([], {("bbox", "en"): -1}, {}, "USD")


def test_unknown_currency_is_rejected():
    with pytest.raises(ValueError, match="EUROS"):
        reconcile_invoice([], {}, {}, "EUROS")
