from decimal import Decimal as D

import pytest

from services.vendors.rules.scorecards import (
    CreditRule,
    Measured,
    SLATerms,
    Term,
    cost_per_accepted_label,
    measured_from,
    score_vendor,
)

FULL_TERMS = SLATerms(
    min_quality=D("0.95"),
    max_turnaround_hours=D(24),
    min_productivity_per_hour=D(50),
    max_daily_exposure_minutes=D(240),
)


def result_for(scorecard, term):
    return next(result for result in scorecard.terms if result.term is term)


def score(measured: Measured, terms: SLATerms = FULL_TERMS, invoiced=D("10000.00"), currency="USD"):
    return score_vendor(terms, measured, invoiced, currency)


# --- per-term outcome ------------------------------------------------------------------------------


def test_quality_below_floor_is_missed_with_ratio_attainment():
    result = result_for(score(Measured(quality=D("0.92"))), Term.QUALITY)

    # 0.92 / 0.95 = 0.96842…
    assert (result.target, result.measured, result.met, result.attainment) == (
        D("0.95"),
        D("0.92"),
        False,
        D("0.9684"),
    )


def test_quality_shortfall_is_in_absolute_percentage_points():
    assert result_for(score(Measured(quality=D("0.92"))), Term.QUALITY).shortfall_points == D(3)


def test_turnaround_above_ceiling_is_missed_with_inverse_ratio_attainment():
    result = result_for(score(Measured(turnaround_hours=D(30))), Term.TURNAROUND_HOURS)

    # 24 / 30
    assert (result.met, result.attainment, result.shortfall_points) == (False, D("0.8"), D(20))


def test_beating_a_ceiling_caps_attainment_at_one():
    result = result_for(score(Measured(turnaround_hours=D(20))), Term.TURNAROUND_HOURS)

    assert (result.met, result.attainment, result.shortfall_points) == (True, D(1), D(0))


def test_exceeding_a_floor_caps_attainment_at_one():
    result = result_for(score(Measured(productivity_per_hour=D(60))), Term.PRODUCTIVITY_PER_HOUR)

    assert (result.met, result.attainment) == (True, D(1))


def test_productivity_below_floor_is_missed():
    result = result_for(score(Measured(productivity_per_hour=D(40))), Term.PRODUCTIVITY_PER_HOUR)

    assert (result.met, result.attainment) == (False, D("0.8"))


def test_exposure_exactly_at_ceiling_is_met():
    result = result_for(score(Measured(daily_exposure_minutes=D(240))), Term.DAILY_EXPOSURE_MINUTES)

    assert (result.met, result.attainment) == (True, D(1))


def test_zero_measured_against_a_ceiling_is_full_attainment():
    result = result_for(score(Measured(daily_exposure_minutes=D(0))), Term.DAILY_EXPOSURE_MINUTES)

    assert (result.met, result.attainment) == (True, D(1))


def test_unmeasured_term_is_reported_without_verdict():
    result = result_for(score(Measured(quality=D("0.96"))), Term.TURNAROUND_HOURS)

    assert (result.measured, result.met, result.attainment, result.credit_percent) == (None, None, None, D(0))


def test_terms_absent_from_the_contract_are_not_reported():
    terms = SLATerms(min_quality=D("0.9"))

    scorecard = score(Measured(quality=D("0.95"), turnaround_hours=D(100)), terms=terms)

    assert [result.term for result in scorecard.terms] == [Term.QUALITY]


# --- overall ---------------------------------------------------------------------------------------


def test_overall_attainment_is_the_mean_of_measured_terms():
    measured = Measured(
        quality=D("0.92"), turnaround_hours=D(20), productivity_per_hour=D(40), daily_exposure_minutes=D(240)
    )

    # (0.968421… + 1 + 0.8 + 1) / 4 = 0.942105…
    assert score(measured).overall_attainment == D("0.9421")


def test_overall_attainment_ignores_unmeasured_terms():
    # only productivity measured: 40 / 50
    assert score(Measured(productivity_per_hour=D(40))).overall_attainment == D("0.8")


def test_overall_attainment_is_none_when_nothing_was_measured():
    scorecard = score(Measured())

    assert (scorecard.overall_attainment, scorecard.all_met) == (None, True)


def test_all_met_is_false_when_any_measured_term_is_missed():
    assert score(Measured(quality=D("0.99"), turnaround_hours=D(25))).all_met is False


def test_all_met_is_true_when_every_measured_term_is_met():
    assert score(Measured(quality=D("0.99"), turnaround_hours=D(24))).all_met is True


# --- credits ---------------------------------------------------------------------------------------


def quality_terms(per_point="2", cap="10", **extra) -> SLATerms:
    return SLATerms(
        min_quality=D("0.95"), credit_rules=(CreditRule(Term.QUALITY, D(per_point), D(cap)),), **extra
    )


def test_quality_credit_is_percent_per_point_of_the_invoice():
    scorecard = score(Measured(quality=D("0.92")), terms=quality_terms())

    # 3 points × 2 % = 6 % of 10,000.00
    assert (scorecard.credit_percent, scorecard.credit_amount) == (D(6), D("600.00"))


def test_quality_credit_is_capped():
    scorecard = score(Measured(quality=D("0.85")), terms=quality_terms())

    # 10 points × 2 % = 20 %, capped at 10 %
    assert (scorecard.credit_percent, scorecard.credit_amount) == (D(10), D("1000.00"))


def test_fractional_points_earn_pro_rata_credit():
    scorecard = score(Measured(quality=D("0.945")), terms=quality_terms())

    # 0.5 point × 2 %
    assert scorecard.credit_amount == D("100.00")


def test_met_terms_earn_no_credit():
    scorecard = score(Measured(quality=D("0.97")), terms=quality_terms())

    assert (scorecard.credit_percent, str(scorecard.credit_amount)) == (D(0), "0.00")


def test_non_quality_credit_uses_attainment_points():
    terms = SLATerms(
        max_turnaround_hours=D(24), credit_rules=(CreditRule(Term.TURNAROUND_HOURS, D("0.5"), D(5)),)
    )

    scorecard = score(Measured(turnaround_hours=D(25)), terms=terms)

    # attainment 24 / 25 = 0.96 → 4 points × 0.5 %
    assert scorecard.credit_percent == D(2)


def test_credits_from_several_terms_add_up():
    terms = SLATerms(
        min_quality=D("0.95"),
        max_turnaround_hours=D(24),
        credit_rules=(
            CreditRule(Term.QUALITY, D(2), D(10)),
            CreditRule(Term.TURNAROUND_HOURS, D("0.5"), D(5)),
        ),
    )

    scorecard = score(
        Measured(quality=D("0.92"), turnaround_hours=D(25)), terms=terms, invoiced=D("12345.67")
    )

    # (6 % + 2 %) × 12,345.67 = 987.6536
    assert (scorecard.credit_percent, scorecard.credit_amount) == (D(8), D("987.65"))


def test_total_credit_is_capped_by_the_contract():
    terms = SLATerms(
        min_quality=D("0.95"),
        max_turnaround_hours=D(24),
        credit_rules=(
            CreditRule(Term.QUALITY, D(2), D(10)),
            CreditRule(Term.TURNAROUND_HOURS, D("0.5"), D(5)),
        ),
        max_total_credit_percent=D(5),
    )

    scorecard = score(Measured(quality=D("0.92"), turnaround_hours=D(25)), terms=terms)

    assert (scorecard.credit_percent, scorecard.credit_amount) == (D(5), D("500.00"))


def test_credit_amount_is_rounded_to_the_currency():
    scorecard = score(Measured(quality=D("0.92")), terms=quality_terms(), invoiced=D(123457), currency="JPY")

    # 6 % of 123,457 = 7,407.42
    assert str(scorecard.credit_amount) == "7407"


def test_unmeasured_term_earns_no_credit():
    scorecard = score(Measured(), terms=quality_terms())

    assert scorecard.credit_amount == D("0.00")


def test_credit_rule_accepts_the_term_name():
    assert CreditRule("quality", D(1), D(5)).term is Term.QUALITY


# --- validation ------------------------------------------------------------------------------------


def test_credit_rule_for_a_term_the_contract_lacks_is_rejected():
    with pytest.raises(ValueError, match="turnaround_hours"):
        SLATerms(min_quality=D("0.9"), credit_rules=(CreditRule(Term.TURNAROUND_HOURS, D(1), D(5)),))


def test_two_rules_for_one_term_are_rejected():
    rule = CreditRule(Term.QUALITY, D(1), D(5))

    with pytest.raises(ValueError, match="more than one"):
        SLATerms(min_quality=D("0.9"), credit_rules=(rule, rule))


def test_min_quality_must_be_a_ratio():
    with pytest.raises(ValueError, match="min_quality"):
        SLATerms(min_quality=D(95))


def test_zero_turnaround_ceiling_is_rejected():
    with pytest.raises(ValueError, match="max_turnaround_hours"):
        SLATerms(max_turnaround_hours=D(0))


def test_measured_quality_above_one_is_rejected():
    with pytest.raises(ValueError, match="quality"):
        Measured(quality=D("1.5"))


def test_float_targets_are_rejected():
    with pytest.raises(TypeError):
        SLATerms(min_quality=0.95)


def test_credit_cap_above_100_percent_is_rejected():
    with pytest.raises(ValueError, match="cap_percent"):
        CreditRule(Term.QUALITY, D(1), D(150))


def test_negative_invoice_is_rejected():
    with pytest.raises(ValueError, match="invoiced_amount"):
        score(Measured(), invoiced=D("-1"))


# --- cost per accepted label -----------------------------------------------------------------------


def test_cost_per_accepted_label_charges_rejections_to_accepted_labels():
    cost = cost_per_accepted_label(D("1000"), 800, 200)

    assert (cost.cost_per_accepted, cost.cost_per_submitted, cost.acceptance_rate, cost.rejection_cost) == (
        D("1.25"),
        D(1),
        D("0.8"),
        D(200),
    )


def test_money_figures_default_to_four_decimals():
    assert str(cost_per_accepted_label(D(100), 3, 0).cost_per_accepted) == "33.3333"


def test_places_controls_rounding_half_up():
    # 1 / 8 = 0.125 → 0.13
    assert str(cost_per_accepted_label(D(1), 8, 0, places=2).cost_per_accepted) == "0.13"


def test_no_accepted_labels_leaves_cost_per_accepted_undefined():
    cost = cost_per_accepted_label(D(50), 0, 10)

    assert (cost.cost_per_accepted, cost.acceptance_rate, cost.rejection_cost) == (None, D(0), D(50))


def test_no_labels_at_all_leaves_every_ratio_undefined():
    cost = cost_per_accepted_label(D(0), 0, 0)

    assert (cost.cost_per_accepted, cost.cost_per_submitted, cost.acceptance_rate, cost.rejection_cost) == (
        None,
        None,
        None,
        None,
    )


def test_negative_counts_are_rejected():
    with pytest.raises(ValueError, match="rejected"):
        cost_per_accepted_label(D(1), 1, -1)


@pytest.mark.parametrize(("total", "accepted"), [(1.0, 1), (D(1), 1.0)])
def test_float_inputs_are_rejected(total, accepted):
    with pytest.raises(TypeError):
        cost_per_accepted_label(total, accepted, 0)


def test_stats_map_onto_sla_terms():
    measured = measured_from(
        {
            "gold_accuracy": 0.93,
            "avg_handling_seconds": 1800,
            "productivity_per_hour": 2.0,
            "delivery_turnaround_hours": 5.25,
            "exposure_minutes_by_severity": {"high": 200, "low": 100},
        },
        days=10,
    )

    assert measured.quality == D("0.93")
    assert measured.turnaround_hours == D("5.25") and measured.productivity_per_hour == D("2")
    assert measured.daily_exposure_minutes == D("30")


def test_turnaround_is_the_delivery_time_not_the_self_reported_handling_time():
    measured = measured_from({"avg_handling_seconds": 1800, "delivery_turnaround_hours": 30.5}, days=1)

    assert measured.turnaround_hours == D("30.5")


def test_measured_values_are_quantised_to_four_places():
    measured = measured_from(
        {
            "gold_accuracy": 2 / 3,
            "delivery_turnaround_hours": 0.000277,
            "exposure_minutes_by_severity": {"low": 10},
        },
        days=3,
    )

    assert (measured.quality, measured.turnaround_hours) == (D("0.6667"), D("0.0003"))
    assert str(measured.daily_exposure_minutes) == "3.3333"


def test_missing_stats_leave_terms_unmeasured():
    measured = measured_from({}, days=30)

    assert (
        measured.quality is None
        and measured.productivity_per_hour is None
        and measured.daily_exposure_minutes is None
    )
