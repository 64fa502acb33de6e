"""Budgets a finance team can rely on: a vendor's budget is in the currency its contract prices in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.services.vendors.support import active_contract_with_rates, new_vendor

TODAY = datetime.now(UTC).date()
RATES = [{"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.50"}]


@pytest.fixture(scope="module")
def manager(users):
    return users.create("vendor_manager")


def _budget(manager, vendor_id, currency, start_days):
    return manager.post(
        "/api/v1/budgets",
        json={
            "project_id": 123456,
            "vendor_id": vendor_id,
            "amount": "100.00",
            "currency": currency,
            "period_start": str(TODAY + timedelta(days=start_days)),
            "period_end": str(TODAY + timedelta(days=start_days + 29)),
        },
    )


def test_a_budget_in_another_currency_than_the_contract_is_422_naming_the_field(manager):
    vendor = new_vendor(manager)
    # The contract starts today; the month-to-date budget started 10 days before it.
    dates = {"starts_on": str(TODAY), "ends_on": str(TODAY + timedelta(days=365))}
    active_contract_with_rates(manager, vendor["id"], RATES, currency="EUR", **dates)

    refused = _budget(manager, vendor["id"], "USD", start_days=-10)
    accepted = _budget(manager, vendor["id"], "EUR", start_days=-10)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "currency"
    assert accepted.status_code == 201, accepted.text
