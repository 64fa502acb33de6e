"""Spend rows of the KPI report and the scorecards: per project and per vendor, added up only within one
currency, with the contracted cost per accepted label."""

from decimal import Decimal

from services.vendors.service.kpis import spend_rows


def test_spend_adds_up_per_project_and_per_vendor():
    priced = [
        (1, 10, "USD", Decimal("4"), Decimal("2.00")),
        (1, 11, "USD", Decimal("2"), Decimal("1.50")),
        (2, 10, "USD", Decimal("1"), Decimal("0.50")),
    ]

    rows = {(r["scope"], r["id"]): r for r in spend_rows(priced)}

    assert (rows[("project", 1)]["spend"], rows[("project", 1)]["priced_units"]) == ("3.50", "6")
    assert rows[("vendor", 10)]["spend"] == "2.50" and rows[("vendor", 10)]["currency"] == "USD"
    assert rows[("vendor", 11)]["spend"] == "1.50"


def test_contracted_cost_per_accepted_label_is_spend_over_the_priced_units():
    priced = [(1, 10, "USD", Decimal("4"), Decimal("2.00")), (1, 11, "USD", Decimal("2"), Decimal("1.50"))]

    rows = {(r["scope"], r["id"]): r for r in spend_rows(priced)}

    assert rows[("project", 1)]["cost_per_accepted_label_contracted"] == "0.5833"
    assert rows[("vendor", 11)]["cost_per_accepted_label_contracted"] == "0.7500"


def test_two_currencies_give_no_single_total_and_unpriced_units_are_kept_apart():
    priced = [
        (1, 10, "USD", Decimal("4"), Decimal("2.00")),
        (1, 11, "EUR", Decimal("2"), Decimal("1.50")),
        (1, 12, "", Decimal("3"), None),
    ]

    (project,) = [r for r in spend_rows(priced) if r["scope"] == "project"]

    assert project["spend"] is None and project["currency"] is None
    assert project["cost_per_accepted_label_contracted"] is None
    assert project["spend_by_currency"] == {"EUR": "1.50", "USD": "2.00"}
    assert (project["priced_units"], project["unpriced_units"]) == ("6", "3")
