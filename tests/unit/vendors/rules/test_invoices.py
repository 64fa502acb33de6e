from datetime import date
from decimal import Decimal as D

import pytest

from services.vendors.rules.invoices import (
    ApprovalBasis,
    ClaimedLine,
    ContractSpan,
    ContractTerms,
    DayMeasure,
    LineStatus,
    contract_spans,
    decide_approval,
    last_day_in_force,
    reconcile_invoice,
)
from services.vendors.rules.rate_cards import RateLine

START, END = date(2026, 3, 1), date(2026, 3, 31)


def claim(task_type="bbox", language="en", units=1000, price="0.50", unit="task") -> ClaimedLine:
    return ClaimedLine(task_type, language, unit, D(units), D(price))


def measure(task_type="bbox", language="en", units=0, seconds=0, day=date(2026, 3, 10)) -> DayMeasure:
    return DayMeasure(day, task_type, language, D(units), D(seconds))


def contract(contract_id=1, starts_on=START, ends_on=END, currency="USD", **prices) -> ContractTerms:
    """Rates as keyword `task_type__language__unit="price"` (language `any` for `*`)."""
    lines = []
    for name, price in prices.items():
        task_type, language, unit = name.split("__")
        tiers = ()
        if isinstance(price, tuple):
            price, tiers = price
        lines.append(RateLine(task_type, "*" if language == "any" else language, unit, D(price), tiers))
    return ContractTerms(contract_id, starts_on, ends_on, currency, tuple(lines))


def reconcile(claims, measures=(), contracts=(), currency="USD", **kw):
    return reconcile_invoice(claims, list(measures), list(contracts), currency, period_start=START,
                             period_end=END, **kw)  # fmt: skip


def only_line(result):
    assert len(result.lines) == 1
    return result.lines[0]


BBOX = contract(bbox__en__task="0.50")


# --- one contract over the whole period --------------------------------------------------------------


def test_claim_equal_to_measurement_is_matched_with_no_discrepancy():
    result = reconcile([claim()], [measure(units=1000)], [BBOX])

    line = only_line(result)
    assert (line.status, line.units_measured, line.unit_difference) == (LineStatus.MATCHED, 1000, 0)
    assert (str(line.amount_claimed), str(line.amount_supported), str(line.discrepancy)) == (
        "500.00", "500.00", "0.00")  # fmt: skip
    assert (result.has_discrepancies, line.contracted_unit_price) == (False, D("0.50"))


def test_claim_above_measurement_is_over_claimed_by_the_unsupported_amount():
    result = reconcile([claim(units=1200)], [measure(units=1000)], [BBOX])

    line = only_line(result)
    assert (line.status, line.unit_difference, line.discrepancy) == (
        LineStatus.OVER_CLAIMED,
        200,
        D("100.00"),
    )


def test_claim_below_measurement_is_under_claimed_with_negative_discrepancy():
    result = reconcile([claim("ner", "de", 400, "0.25", unit="item")], [measure("ner", "de", units=500)],
                       [contract(ner__de__item="0.25")])  # fmt: skip

    line = only_line(result)
    assert (line.status, line.unit_difference) == (LineStatus.UNDER_CLAIMED, -100)
    assert (line.amount_claimed, line.amount_supported, line.discrepancy) == (
        D("100.00"),
        D("125.00"),
        D("-25.00"),
    )


def test_claim_with_no_measurement_is_unmeasured_and_wholly_unsupported():
    result = reconcile([claim("sentiment", "es", 50, "1.00")], [], [BBOX])

    line = only_line(result)
    assert (line.status, line.units_measured) == (LineStatus.UNMEASURED, 0)
    assert (line.amount_supported, line.discrepancy) == (D("0.00"), D("50.00"))


def test_measured_zero_is_over_claimed_not_unmeasured():
    result = reconcile([claim(units=10)], [measure(units=0)], [BBOX])

    assert only_line(result).status is LineStatus.OVER_CLAIMED


def test_difference_within_tolerance_is_matched_but_amounts_stay_exact():
    result = reconcile([claim(units=1002)], [measure(units=1000)], [BBOX], tolerance=2)

    line = only_line(result)
    assert (line.status, line.discrepancy) == (LineStatus.MATCHED, D("1.00"))


def test_difference_beyond_tolerance_is_flagged():
    result = reconcile([claim(units=1002)], [measure(units=1000)], [BBOX], tolerance=1)

    assert only_line(result).status is LineStatus.OVER_CLAIMED


def test_supported_amount_uses_the_contracted_price_and_flags_a_price_mismatch():
    result = reconcile([claim(units=100, price="0.60")], [measure(units=100)], [BBOX])

    line = only_line(result)
    assert (line.status, line.price_mismatch) == (LineStatus.MATCHED, True)
    assert (line.amount_claimed, line.amount_supported, line.discrepancy) == (
        D("60.00"),
        D("50.00"),
        D("10.00"),
    )
    assert result.has_discrepancies is True


def test_graduated_tiers_price_the_measured_volume():
    tiered = contract(bbox__en__task=("0.50", ((D(3), D("0.40")),)))

    line = only_line(reconcile([claim(units=5)], [measure(units=4)], [tiered]))

    # 3 × 0.50 + 1 × 0.40
    assert (line.amount_supported, line.contracted_unit_price, line.price_mismatch) == (
        D("1.90"),
        D("0.50"),
        False,
    )


def test_a_wildcard_language_rate_prices_any_language():
    line = only_line(reconcile([claim(language="ja")], [measure(language="ja", units=1000)],
                               [contract(bbox__any__task="0.50")]))  # fmt: skip

    assert (line.amount_supported, line.unpriced) == (D("500.00"), False)


# --- the contract in force each day ------------------------------------------------------------------


def test_a_period_starting_before_the_contract_prices_the_contract_days_at_the_contract():
    # The usual month-to-date invoice: the contract starts on the 15th.
    mid_month = contract(starts_on=date(2026, 3, 15), bbox__en__task="0.50")

    line = only_line(reconcile([claim(units=10, price="0.90")], [measure(units=10, day=date(2026, 3, 20))],
                               [mid_month]))  # fmt: skip

    assert (line.amount_supported, line.contracted_unit_price, line.units_unpriced) == (
        D("5.00"),
        D("0.50"),
        0,
    )
    assert [(p.contract_id, p.first_day, p.quantity) for p in line.pricing] == [(1, date(2026, 3, 15), 10)]


def test_work_on_days_without_a_contract_is_unpriced_and_flagged_never_at_the_claimed_price():
    mid_month = contract(starts_on=date(2026, 3, 15), bbox__en__task="0.50")
    measures = [measure(units=4, day=date(2026, 3, 2)), measure(units=6, day=date(2026, 3, 16))]

    result = reconcile([claim(units=10)], measures, [mid_month])

    line = only_line(result)
    assert (line.status, line.units_measured, line.units_unpriced) == (LineStatus.MATCHED, 10, 4)
    assert (line.amount_supported, line.discrepancy) == (D("3.00"), D("2.00"))
    assert result.has_discrepancies is True
    assert [(s.first_day, s.last_day) for s in result.days_without_contract] == [(START, date(2026, 3, 14))]


def test_each_day_is_priced_at_the_contract_in_force_that_day():
    march_first_half = contract(1, ends_on=date(2026, 3, 15), bbox__en__task="0.50")
    march_second_half = contract(2, starts_on=date(2026, 3, 16), bbox__en__task="0.40")
    measures = [measure(units=10, day=date(2026, 3, 15)), measure(units=10, day=date(2026, 3, 16))]

    line = only_line(
        reconcile([claim(units=20, price="0.50")], measures, [march_first_half, march_second_half])
    )

    assert [(p.contract_id, p.quantity, p.amount) for p in line.pricing] == [
        (1, 10, D("5.00")),
        (2, 10, D("4.00")),
    ]
    assert (line.amount_supported, line.contracted_unit_price, line.price_mismatch) == (D("9.00"), None, True)


def test_tiers_count_the_volume_under_each_contract_separately():
    tier = ("0.50", ((D(10), D("0.10")),))
    first = contract(1, ends_on=date(2026, 3, 15), bbox__en__task=tier)
    second = contract(2, starts_on=date(2026, 3, 16), bbox__en__task=tier)
    measures = [measure(units=10, day=date(2026, 3, 15)), measure(units=10, day=date(2026, 3, 16))]

    line = only_line(reconcile([claim(units=20)], measures, [first, second]))

    assert line.amount_supported == D("10.00")  # 10 × 0.50 under each: no contract reaches its tier


def test_a_contract_without_a_rate_for_the_work_leaves_it_unpriced():
    line = only_line(reconcile([claim("ocr", "en", 5, "0.20")], [measure("ocr", "en", units=5)], [BBOX]))

    assert (line.status, line.units_unpriced, line.amount_supported, line.open) == (
        LineStatus.MATCHED, 5, D("0.00"), True)  # fmt: skip


def test_a_contract_in_another_currency_prices_nothing():
    euros = contract(currency="EUR", bbox__en__task="0.50")

    result = reconcile([claim()], [measure(units=1000)], [euros])

    assert (only_line(result).units_unpriced, len(result.days_without_contract)) == (1000, 1)


def test_the_first_contract_given_wins_a_day_two_cover():
    spans = contract_spans(date(2026, 3, 1), date(2026, 3, 3), [contract(7, ends_on=date(2026, 3, 2)),
                                                               contract(8)], "USD")  # fmt: skip

    assert spans == (ContractSpan(7, date(2026, 3, 1), date(2026, 3, 2)), ContractSpan(8, date(2026, 3, 3),
                                                                                       date(2026, 3, 3)))  # fmt: skip


def test_a_measurement_outside_the_period_is_an_error():
    with pytest.raises(ValueError, match="outside the period"):
        reconcile([], [measure(units=1, day=date(2026, 4, 1))], [BBOX])


def test_a_contract_terminated_early_is_in_force_until_its_termination_day():
    history = [("draft", date(2026, 1, 2)), ("active", date(2026, 1, 3)), ("terminated", date(2026, 3, 9))]

    assert last_day_in_force(date(2026, 12, 31), history) == date(2026, 3, 9)


def test_a_contract_expired_after_its_end_is_in_force_until_its_end():
    history = [("active", date(2026, 1, 3)), ("expired", date(2027, 1, 5))]

    assert last_day_in_force(date(2026, 12, 31), history) == date(2026, 12, 31)


def test_a_contract_terminated_before_it_was_active_was_never_in_force():
    history = [
        ("draft", date(2026, 1, 2)),
        ("negotiating", date(2026, 1, 3)),
        ("terminated", date(2026, 1, 4)),
    ]

    assert last_day_in_force(date(2026, 12, 31), history) is None


# --- hour lines --------------------------------------------------------------------------------------


def test_hour_lines_are_measured_in_handling_hours_not_task_counts():
    hourly = contract(currency="EUR", transcription__fr__hour="15.00")
    # 90 accepted units taking 360 000 s: 100 hours.
    measured = [measure("transcription", "fr", units=90, seconds=360_000)]

    line = only_line(reconcile([claim("transcription", "fr", 120, "15.00", unit="hour")], measured, [hourly],
                               currency="EUR"))  # fmt: skip

    assert (line.measure, line.units_measured, line.status) == (
        "handling_hours",
        D("100.0000"),
        LineStatus.OVER_CLAIMED,
    )
    assert (line.amount_claimed, line.amount_supported, line.discrepancy) == (
        D("1800.00"),
        D("1500.00"),
        D("300.00"),
    )


def test_handling_hours_are_summed_in_seconds_before_rounding():
    hourly = contract(transcription__fr__hour="60.00")
    measured = [measure("transcription", "fr", units=1, seconds=1, day=date(2026, 3, d)) for d in (1, 2, 3)]

    line = only_line(
        reconcile([claim("transcription", "fr", "0.0008", "60.00", unit="hour")], measured, [hourly])
    )

    assert line.units_measured == D("0.0008")  # 3 s = 0.000833 h, not 3 × 0.0003


def test_an_hour_claim_against_a_per_task_rate_is_unpriced():
    line = only_line(reconcile([claim(units=2, unit="hour")], [measure(units=5, seconds=7200)], [BBOX]))

    assert (line.units_measured, line.units_unpriced, line.amount_supported) == (
        D("2.0000"),
        D("2.0000"),
        D("0.00"),
    )


# --- unclaimed work ----------------------------------------------------------------------------------


def test_unclaimed_measured_work_gets_its_own_line_at_contracted_price():
    rates = contract(bbox__en__task="0.50", bbox__ja__task="0.60")

    result = reconcile([claim()], [measure(units=1000), measure(language="ja", units=200)], [rates])

    extra = result.lines[1]
    assert (extra.task_type, extra.language, extra.unit, extra.claimed, extra.status) == (
        "bbox", "ja", "task", False, LineStatus.UNDER_CLAIMED)  # fmt: skip
    assert (extra.units_claimed, extra.units_measured, extra.unit_difference) == (0, 200, -200)
    assert (str(extra.amount_claimed), extra.amount_supported, extra.discrepancy) == (
        "0.00",
        D("120.00"),
        D("-120.00"),
    )


def test_unclaimed_work_priced_per_hour_is_measured_in_hours():
    rates = contract(bbox__en__task="0.50", transcription__fr__hour="15.00")

    result = reconcile([claim()], [measure(units=1000), measure("transcription", "fr", units=3, seconds=5400)],
                       [rates])  # fmt: skip

    extra = result.lines[1]
    assert (extra.unit, extra.units_measured, extra.amount_supported) == ("hour", D("1.5000"), D("22.50"))


def test_unclaimed_zero_measurement_produces_no_line():
    result = reconcile([claim()], [measure(units=1000), measure(language="ja", units=0)],
                       [contract(bbox__any__task="0.50")])  # fmt: skip

    assert [line.language for line in result.lines] == ["en"]


def test_unclaimed_work_no_contract_prices_is_listed_as_unpriced_not_priced():
    result = reconcile([], [measure(language="ja", units=5, seconds=600)], [BBOX])

    assert result.lines == ()
    work = result.unpriced_work[0]
    assert (work.task_type, work.language, work.units_measured, work.hours_measured) == (
        "bbox",
        "ja",
        5,
        D("0.1667"),
    )
    assert result.has_discrepancies is True


def test_claimed_lines_keep_invoice_order_and_unclaimed_follow_sorted():
    keys = [("z", "en"), ("b", "fr"), ("b", "de"), ("a", "en")]
    rates = contract(**{f"{t}__{lang}__task": "1" for t, lang in keys})

    result = reconcile([claim("z", "en", 1, "1"), claim("a", "en", 1, "1")],
                       [measure(t, lang, units=1) for t, lang in keys], [rates])  # fmt: skip

    assert [(line.task_type, line.language) for line in result.lines] == [
        ("z", "en"), ("a", "en"), ("b", "de"), ("b", "fr")]  # fmt: skip


# --- shape and totals --------------------------------------------------------------------------------


def test_language_matching_is_case_insensitive():
    rates = ContractTerms(1, START, END, "USD", (RateLine("bbox", "EN-us", "task", D("0.50")),))

    line = only_line(reconcile([claim(language="en-US")], [measure(language="en-us", units=1000)], [rates]))

    assert (line.language, line.status, line.amount_supported) == ("en-US", LineStatus.MATCHED, D("500.00"))


def test_two_lines_for_the_same_work_are_rejected():
    with pytest.raises(ValueError, match="more than one line"):
        reconcile([claim(unit="task"), claim(unit="hour")])


def test_totals_sum_every_line_including_unclaimed_work_and_supported_claim_caps_each_line():
    rates = contract(bbox__en__task="0.50", ner__de__item="0.25", bbox__ja__task="0.60")
    claims = [claim("bbox", "en", 1000, "0.50"), claim("ner", "de", 400, "0.25", unit="item"),
              claim("sentiment", "es", 50, "1.00")]  # fmt: skip
    measures = [measure(units=900), measure("ner", "de", units=500), measure("bbox", "ja", units=200)]

    result = reconcile(claims, measures, [rates])

    # claimed 500 + 100 + 50; supported 450 + 125 + 0 + 120; of the claim 450 + 100 + 0 is supported
    assert [line.status for line in result.lines] == [LineStatus.OVER_CLAIMED, LineStatus.UNDER_CLAIMED,
                                                      LineStatus.UNMEASURED, LineStatus.UNDER_CLAIMED]  # fmt: skip
    assert (result.total_claimed, result.total_supported, result.total_discrepancy) == (
        D("650.00"), D("695.00"), D("-45.00"))  # fmt: skip
    assert result.supported_claim == D("550.00")


def test_totals_are_sums_of_rounded_line_amounts():
    # each line is 3 × 0.335 = 1.005 → 1.01, so 2.02; rounding the exact total 2.010 would give 2.01
    rates = contract(a__en__task="0.335", b__en__task="0.335")

    result = reconcile([claim("a", "en", 3, "0.335"), claim("b", "en", 3, "0.335")],
                       [measure("a", "en", units=3), measure("b", "en", units=3)], [rates])  # fmt: skip

    assert (str(result.total_claimed), str(result.total_supported)) == ("2.02", "2.02")


def test_amounts_are_rounded_to_the_currency():
    result = reconcile([claim(units=3, price="12.5")], [measure(units=3)], [contract(currency="JPY",
                                                                                     bbox__en__task="12.5")],
                       currency="JPY")  # fmt: skip

    assert (str(only_line(result).amount_claimed), str(result.total_claimed)) == ("38", "38")


def test_empty_invoice_and_no_measurement_totals_zero_in_currency_format():
    result = reconcile([], currency="KWD")

    assert (result.lines, str(result.total_claimed), result.has_discrepancies) == ((), "0.000", False)


def test_negative_tolerance_is_rejected():
    with pytest.raises(ValueError, match="tolerance"):
        reconcile([], tolerance=-1)


def test_float_units_in_claim_are_rejected():
    with pytest.raises(TypeError):
        ClaimedLine("bbox", "en", "task", 10.0, D("0.50"))


def test_negative_measured_units_are_rejected():
    with pytest.raises(ValueError, match="accepted_units"):
        measure(units=-1)


def test_unknown_currency_is_rejected():
    with pytest.raises(ValueError, match="EUROS"):
        reconcile([], currency="EUROS")


# --- approval ----------------------------------------------------------------------------------------


def test_a_reconciled_invoice_is_approved_as_claimed():
    approval = decide_approval(reconcile([claim()], [measure(units=1000)], [BBOX]), override_reason=None)

    assert (approval.basis, approval.amount) == (ApprovalBasis.RECONCILED, D("500.00"))


def test_open_discrepancies_without_a_reason_approve_only_the_supported_claim():
    approval = decide_approval(reconcile([claim()], [measure(units=900)], [BBOX]), override_reason="  ")

    assert (approval.basis, approval.amount, approval.override_reason) == (
        ApprovalBasis.SUPPORTED,
        D("450.00"),
        None,
    )


def test_open_discrepancies_with_a_reason_approve_the_claim_and_keep_the_reason():
    approval = decide_approval(reconcile([claim()], [measure(units=900)], [BBOX]),
                               override_reason="100 tasks redone off-platform, agreed by email")  # fmt: skip

    assert (approval.basis, approval.amount) == (ApprovalBasis.OVERRIDE, D("500.00"))
    assert approval.override_reason == "100 tasks redone off-platform, agreed by email"


def test_unpriced_work_is_not_paid_without_a_reason():
    outside = contract(starts_on=date(2026, 3, 15), bbox__en__task="0.50")

    approval = decide_approval(reconcile([claim(units=10)], [measure(units=10, day=date(2026, 3, 2))], [outside]),
                               override_reason=None)  # fmt: skip

    assert (approval.basis, approval.amount) == (ApprovalBasis.SUPPORTED, D("0.00"))
