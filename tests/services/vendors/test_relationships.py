"""Vendors, partner communications, contracts and rate cards, the service in process."""

from __future__ import annotations

import pytest

from tests.services.vendors.support import (
    activate,
    active_contract_with_rates,
    new_contract,
    new_vendor,
    unique_name,
)

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def manager(users):
    return users.create("vendor_manager")


# --- vendors -------------------------------------------------------------------------------------


def test_vendor_is_created_as_a_prospect_with_sites_contacts_languages_and_skills(manager):
    body = {
        "name": unique_name("Acme Labeling"),
        "country": "ph",
        "external_vms_id": "VMS-1",
        "sites": [{"country": "PH", "timezone": "Asia/Manila", "headcount": 120}],
        "contacts": [{"name": "Rosa", "email": "rosa@example.org", "role": "account manager"}],
        "languages": ["tl", "en"],
        "skills": ["ner", "bbox"],
    }

    response = manager.post("/api/v1/vendors", json=body)

    vendor = response.json()
    assert response.status_code == 201
    assert vendor["status"] == "prospect" and vendor["country"] == "PH"
    assert vendor["sites"] == [{"country": "PH", "timezone": "Asia/Manila", "headcount": 120}]
    assert vendor["contacts"][0]["email"] == "rosa@example.org" and vendor["languages"] == ["tl", "en"]
    assert response.headers["etag"] == f'"{vendor["id"]}-1"'


def test_update_with_the_current_etag_applies_and_bumps_the_version(manager):
    vendor = new_vendor(manager)
    etag = manager.get(f"/api/v1/vendors/{vendor['id']}").headers["etag"]

    response = manager.patch(
        f"/api/v1/vendors/{vendor['id']}", json={"legal_name": "Acme Inc."}, headers={"If-Match": etag}
    )

    assert response.status_code == 200
    assert response.json()["legal_name"] == "Acme Inc." and response.json()["version"] == 2
    assert response.headers["etag"] != etag


def test_update_with_a_stale_etag_is_412(manager):
    vendor = new_vendor(manager)
    stale = f'"{vendor["id"]}-1"'
    manager.patch(
        f"/api/v1/vendors/{vendor['id']}", json={"legal_name": "First"}, headers={"If-Match": stale}
    )

    response = manager.patch(
        f"/api/v1/vendors/{vendor['id']}", json={"legal_name": "Second"}, headers={"If-Match": stale}
    )

    assert response.status_code == 412 and response.headers["content-type"] == PROBLEM


def test_update_without_if_match_is_428(manager):
    vendor = new_vendor(manager)

    response = manager.patch(f"/api/v1/vendors/{vendor['id']}", json={"legal_name": "X"})

    assert response.status_code == 428


def test_vendor_walks_the_status_machine(manager):
    vendor = new_vendor(manager)

    statuses = [
        manager.post(f"/api/v1/vendors/{vendor['id']}/transitions", json={"to": to}).json()["status"]
        for to in ("onboarding", "active", "suspended", "active", "terminated")
    ]

    assert statuses == ["onboarding", "active", "suspended", "active", "terminated"]


def test_invalid_vendor_transition_is_409_listing_the_allowed_targets(manager):
    vendor = new_vendor(manager)

    response = manager.post(f"/api/v1/vendors/{vendor['id']}/transitions", json={"to": "active"})

    assert response.status_code == 409 and response.headers["content-type"] == PROBLEM
    assert response.json()["allowed"] == ["onboarding", "terminated"]


def test_duplicate_vendor_name_is_409(manager):
    vendor = new_vendor(manager)

    response = manager.post("/api/v1/vendors", json={"name": vendor["name"], "country": "US"})

    assert response.status_code == 409


def test_invalid_vendor_fields_are_422_naming_the_field(manager):
    response = manager.post(
        "/api/v1/vendors",
        json={"name": "X", "country": "PHL", "sites": [{"country": "PH", "timezone": "x", "headcount": -1}]},
    )

    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert response.status_code == 422
    assert {"/country", "/sites/0/headcount"} <= pointers


def test_vendors_filter_by_language_skill_and_country(manager):
    wanted = new_vendor(manager, country="KE", languages=["sw-KE"], skills=["transcription-x1"])
    new_vendor(manager, country="KE", languages=["sw"], skills=["transcription"])

    response = manager.get(
        "/api/v1/vendors", params={"language": "sw-KE", "skill": "transcription-x1", "country": "ke"}
    )

    assert [v["id"] for v in response.json()["items"]] == [wanted["id"]]


def test_vendors_list_pages_with_a_cursor(manager):
    for _ in range(3):
        new_vendor(manager, country="NZ")

    first = manager.get("/api/v1/vendors", params={"limit": 2, "country": "NZ"}).json()
    second = manager.get(
        "/api/v1/vendors", params={"limit": 2, "country": "NZ", "cursor": first["next_cursor"]}
    ).json()

    assert len(first["items"]) == 2 and first["next_cursor"]
    assert not {v["id"] for v in first["items"]} & {v["id"] for v in second["items"]}


def test_vendor_user_sees_only_its_own_vendor(manager, users):
    own = new_vendor(manager)
    other = new_vendor(manager)
    vendor_user = users.create("vendor", vendor_id=own["id"])

    assert vendor_user.get(f"/api/v1/vendors/{own['id']}").status_code == 200
    assert vendor_user.get(f"/api/v1/vendors/{other['id']}").status_code == 404
    assert [v["id"] for v in vendor_user.get("/api/v1/vendors").json()["items"]] == [own["id"]]


def test_analyst_reads_but_cannot_create_vendors(manager, users):
    analyst = users.create("analyst")
    vendor = new_vendor(manager)

    assert analyst.get(f"/api/v1/vendors/{vendor['id']}").status_code == 200
    assert (
        analyst.post("/api/v1/vendors", json={"name": unique_name("V"), "country": "PH"}).status_code == 403
    )


def test_a_change_to_a_missing_vendor_is_404_whatever_its_body(manager):
    # The vendor is loaded (within the caller's scope) before the body is validated.
    response = manager.patch("/api/v1/vendors/999999999", json={"name": 5})

    assert response.status_code == 404


def test_a_caller_without_the_role_is_403_before_the_vendor_is_looked_up(users):
    analyst = users.create("analyst")

    assert analyst.patch("/api/v1/vendors/999999999", json={"name": "V"}).status_code == 403


# --- communications ------------------------------------------------------------------------------


def test_overdue_follow_ups_are_listed_until_done(manager):
    vendor = new_vendor(manager)
    logged = manager.post(
        "/api/v1/communications",
        json={
            "vendor_id": vendor["id"],
            "direction": "outbound",
            "channel": "linkedin",
            "subject": "Rates for 2027",
            "occurred_at": "2026-01-05T10:00:00Z",
            "follow_up_due_at": "2026-01-12T10:00:00Z",
        },
    ).json()

    due = manager.get("/api/v1/communications/follow-ups-due", params={"limit": 500}).json()["items"]
    manager.patch(f"/api/v1/communications/{logged['id']}", json={"follow_up_done": True})
    after = manager.get("/api/v1/communications/follow-ups-due", params={"limit": 500}).json()["items"]

    assert logged["id"] in [c["id"] for c in due]
    assert logged["id"] not in [c["id"] for c in after]


def test_communication_with_a_prospect_needs_no_vendor(manager):
    response = manager.post(
        "/api/v1/communications",
        json={"prospect_name": "Future Labels Ltd", "direction": "inbound", "channel": "web_form",
              "subject": "Partnership enquiry", "occurred_at": "2026-02-01T09:00:00Z"},
    )  # fmt: skip

    assert response.status_code == 201 and response.json()["vendor_id"] is None


def test_communication_naming_neither_vendor_nor_prospect_is_422(manager):
    response = manager.post(
        "/api/v1/communications",
        json={
            "direction": "inbound",
            "channel": "call",
            "subject": "?",
            "occurred_at": "2026-02-01T09:00:00Z",
        },
    )

    assert response.status_code == 422


def test_vendor_user_cannot_read_communications(manager, users):
    vendor = new_vendor(manager)

    response = users.create("vendor", vendor_id=vendor["id"]).get("/api/v1/communications")

    assert response.status_code == 403


# --- contracts -----------------------------------------------------------------------------------


def test_contract_with_sla_terms_and_credit_rules_is_created_as_draft(manager):
    vendor = new_vendor(manager)

    contract = new_contract(
        manager,
        vendor["id"],
        sla_terms={"min_quality": "0.95", "max_turnaround_hours": "24"},
        credit_rules=[{"term": "quality", "percent_per_point": "1.5", "cap_percent": "10"}],
    )

    assert contract["status"] == "draft" and contract["currency"] == "USD"
    assert contract["sla_terms"] == {"min_quality": "0.95", "max_turnaround_hours": "24"}
    assert contract["credit_rules"][0]["percent_per_point"] == "1.5"


def test_unknown_currency_is_422(manager):
    vendor = new_vendor(manager)

    response = manager.post(
        "/api/v1/contracts",
        json={"vendor_id": vendor["id"], "title": "x", "starts_on": "2026-01-01", "ends_on": "2026-02-01",
              "currency": "XYZ", "payment_terms_days": 30},
    )  # fmt: skip

    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/currency"


def test_credit_rule_for_a_term_the_contract_does_not_set_is_422(manager):
    vendor = new_vendor(manager)

    response = manager.post(
        "/api/v1/contracts",
        json={"vendor_id": vendor["id"], "title": "x", "starts_on": "2026-01-01", "ends_on": "2026-02-01",
              "currency": "EUR", "payment_terms_days": 30,
              "credit_rules": [{"term": "quality", "percent_per_point": "1", "cap_percent": "5"}]},
    )  # fmt: skip

    assert response.status_code == 422


def test_a_second_overlapping_active_contract_is_409(manager):
    vendor = new_vendor(manager)
    activate(manager, new_contract(manager, vendor["id"])["id"])
    second = new_contract(manager, vendor["id"], starts_on="2026-06-01", ends_on="2027-05-31")
    manager.post(f"/api/v1/contracts/{second['id']}/transitions", json={"to": "negotiating"})

    response = manager.post(f"/api/v1/contracts/{second['id']}/transitions", json={"to": "active"})

    assert response.status_code == 409


def test_contracts_for_consecutive_periods_can_both_be_active(manager):
    vendor = new_vendor(manager)
    activate(manager, new_contract(manager, vendor["id"])["id"])
    later = new_contract(manager, vendor["id"], starts_on="2027-01-01", ends_on="2027-12-31")

    assert activate(manager, later["id"])["status"] == "active"


def test_invalid_contract_transition_is_409(manager):
    contract = new_contract(manager, new_vendor(manager)["id"])

    response = manager.post(f"/api/v1/contracts/{contract['id']}/transitions", json={"to": "expired"})

    assert response.status_code == 409 and response.json()["allowed"] == ["negotiating", "terminated"]


def test_every_contract_change_is_kept_as_a_version(manager):
    contract = new_contract(manager, new_vendor(manager)["id"])
    manager.patch(
        f"/api/v1/contracts/{contract['id']}",
        json={"payment_terms_days": 45},
        headers={"If-Match": f'"{contract["id"]}-1"'},
    )
    manager.post(f"/api/v1/contracts/{contract['id']}/transitions", json={"to": "negotiating"})

    versions = manager.get(f"/api/v1/contracts/{contract['id']}/versions").json()["items"]

    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["snapshot"]["payment_terms_days"] for v in versions] == [30, 45, 45]
    assert versions[-1]["snapshot"]["status"] == "negotiating"


def test_contract_versions_are_listed_a_page_at_a_time(manager):
    contract = new_contract(manager, new_vendor(manager)["id"])
    for to in ("negotiating", "active"):
        manager.post(f"/api/v1/contracts/{contract['id']}/transitions", json={"to": to})
    url = f"/api/v1/contracts/{contract['id']}/versions"

    first = manager.get(url, params={"limit": 2}).json()
    rest = manager.get(url, params={"limit": 2, "cursor": first["next_cursor"]}).json()

    assert [v["version"] for v in first["items"]] == [1, 2]
    assert ([v["version"] for v in rest["items"]], rest["next_cursor"]) == ([3], None)


def test_rate_card_changes_are_kept_in_the_contract_versions(manager):
    contract = new_contract(manager, new_vendor(manager)["id"])
    lines = [{"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.50"}]

    manager.put(f"/api/v1/rate-cards/{contract['id']}", json={"lines": lines})
    manager.put(f"/api/v1/rate-cards/{contract['id']}", json={"lines": [{**lines[0], "unit_price": "0.45"}]})

    versions = manager.get(f"/api/v1/contracts/{contract['id']}/versions").json()["items"]
    assert [[line["unit_price"] for line in v["snapshot"]["rate_card"]] for v in versions] == [
        [],
        ["0.50"],
        ["0.45"],
    ]


def test_an_active_contract_cannot_be_edited(manager):
    contract = activate(manager, new_contract(manager, new_vendor(manager)["id"])["id"])

    response = manager.patch(
        f"/api/v1/contracts/{contract['id']}",
        json={"payment_terms_days": 10},
        headers={"If-Match": f'"{contract["id"]}-{contract["version"]}"'},
    )

    assert response.status_code == 409


def test_vendor_user_sees_its_own_contracts_only(manager, users):
    own, other = new_vendor(manager), new_vendor(manager)
    mine = new_contract(manager, own["id"])
    theirs = new_contract(manager, other["id"])
    vendor_user = users.create("vendor", vendor_id=own["id"])

    assert vendor_user.get(f"/api/v1/contracts/{mine['id']}").status_code == 200
    assert vendor_user.get(f"/api/v1/contracts/{theirs['id']}").status_code == 404
    assert [c["id"] for c in vendor_user.get("/api/v1/contracts").json()["items"]] == [mine["id"]]


# --- rate cards and price lookup -----------------------------------------------------------------

TIERED = [
    {"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.50",
     "tiers": [{"from_units": "1000", "unit_price": "0.40"}, {"from_units": "5000", "unit_price": "0.333"}]},
    {"task_type": "ner", "language": "*", "unit": "task", "unit_price": "0.70"},
]  # fmt: skip


def quote(manager, vendor: dict, **params) -> dict:
    """A price from the vendor's rate card in force on 2026-03-01 (task units unless `unit` says)."""
    response = manager.get(
        "/api/v1/rate-cards/price", params={"vendor_id": vendor["id"], "on": "2026-03-01", **params}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_price_lookup_applies_graduated_tiers(manager):
    vendor = new_vendor(manager)
    active_contract_with_rates(manager, vendor["id"], TIERED)

    priced = quote(manager, vendor, task_type="ner", language="en", units="1500")

    assert priced["amount"] == "700.00" and priced["currency"] == "USD"


def test_price_lookup_rounds_to_the_currency_minor_unit(manager):
    vendor = new_vendor(manager)
    active_contract_with_rates(manager, vendor["id"], TIERED)

    priced = quote(manager, vendor, task_type="ner", language="en", units="5001")

    # 1000 × 0.50 + 4000 × 0.40 + 1 × 0.333 = 2100.333 → 2100.33
    assert priced["amount"] == "2100.33"


def test_price_lookup_in_a_zero_decimal_currency_rounds_to_whole_units(manager):
    vendor = new_vendor(manager)
    lines = [{"task_type": "bbox", "language": "ja", "unit": "item", "unit_price": "12.5"}]
    active_contract_with_rates(manager, vendor["id"], lines, currency="JPY")

    priced = quote(manager, vendor, task_type="bbox", language="ja", unit="item", units="3")

    assert priced["amount"] == "38" and priced["currency"] == "JPY"


def test_price_lookup_falls_back_to_the_any_language_line(manager):
    vendor = new_vendor(manager)
    active_contract_with_rates(manager, vendor["id"], TIERED)

    priced = quote(manager, vendor, task_type="ner", language="de", units="10")

    assert priced["amount"] == "7.00" and priced["matched_language"] == "*"


def test_price_lookup_without_an_active_contract_is_404(manager):
    vendor = new_vendor(manager)

    response = manager.get(
        "/api/v1/rate-cards/price",
        params={"vendor_id": vendor["id"], "task_type": "ner", "language": "en", "units": "1"},
    )

    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM


def test_rate_card_with_tiers_out_of_order_is_422_naming_the_line(manager):
    contract = new_contract(manager, new_vendor(manager)["id"])
    lines = [{"task_type": "ner", "language": "en", "unit": "task", "unit_price": "1",
              "tiers": [{"from_units": "100", "unit_price": "0.9"}, {"from_units": "50", "unit_price": "0.8"}]}]  # fmt: skip

    response = manager.put(f"/api/v1/rate-cards/{contract['id']}", json={"lines": lines})

    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/lines/0/tiers"


def test_float_like_prices_keep_their_exact_decimal_value(manager):
    contract = new_contract(manager, new_vendor(manager)["id"])
    lines = [{"task_type": "ner", "language": "en", "unit": "task", "unit_price": 0.1}]

    card = manager.put(f"/api/v1/rate-cards/{contract['id']}", json={"lines": lines}).json()

    assert card["lines"][0]["unit_price"] == "0.1"
