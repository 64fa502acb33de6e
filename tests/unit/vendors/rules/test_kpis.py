"""The vendors service's KPI definitions (services.vendors.rules.kpis)."""

from decimal import Decimal

import pytest

from services.vendors.rules import kpis


def test_contracted_and_invoiced_costs_divide_their_own_amount_by_the_labels():
    contracted = kpis.contracted_cost_per_accepted_label(spend=Decimal("2.00"), priced_units=4)
    invoiced = kpis.invoiced_cost_per_accepted_label(invoiced=Decimal("4.20"), accepted_units=4)

    assert (contracted, invoiced) == (Decimal("0.5000"), Decimal("1.0500"))


def test_a_cost_per_label_rounds_half_up_to_four_places():
    assert kpis.invoiced_cost_per_accepted_label(invoiced=Decimal("1"), accepted_units=3) == Decimal("0.3333")
    assert kpis.contracted_cost_per_accepted_label(spend=Decimal("0.00005"), priced_units=1) == Decimal(
        "0.0001"
    )


@pytest.mark.parametrize(("amount", "labels"), [(None, 4), (Decimal("2"), 0)])
def test_a_cost_with_nothing_to_divide_is_unknown_not_zero(amount, labels):
    assert kpis.contracted_cost_per_accepted_label(spend=amount, priced_units=labels) is None


def test_measured_figures_are_quantised_and_unmeasured_stays_none():
    assert kpis.quantised(0.000277777) == Decimal("0.0003")
    assert kpis.quantised("12.00005") == Decimal("12.0001")
    assert kpis.quantised(None) is None
