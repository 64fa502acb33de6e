"""Contributor profiles, the service in process: create, validate, read, update with If-Match, filter, sort, page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.services.contributors.support import PROBLEM, activate, contributor_body, new_contributor
from tests.support.api import unique_email


@pytest.fixture(scope="module")
def support(users):
    return users.create("support")


def test_create_normalises_codes_and_returns_an_etag(support):
    body = contributor_body(
        email="Mixed.Case-" + unique_email(),
        country="ph",
        timezone="asia/manila",
        languages=[
            {"code": "EN-us", "proficiency": "native"},
            {"code": "zh-hant-tw", "proficiency": "basic"},
        ],
    )

    response = support.post("/api/v1/contributors", json=body)

    created = response.json()
    assert response.status_code == 201
    assert response.headers["etag"] == f'"{created["id"]}-1"'
    assert response.headers["location"] == f"/api/v1/contributors/{created['id']}"
    assert created["email"] == body["email"].lower()
    assert (created["country"], created["timezone"]) == ("PH", "Asia/Manila")
    assert [x["code"] for x in created["languages"]] == ["en-US", "zh-Hant-TW"]
    assert (created["status"], created["version"], created["opted_out_harmful"]) == ("applied", 1, False)


def test_duplicate_email_in_any_case_is_409(support):
    first = new_contributor(support)

    again = support.post("/api/v1/contributors", json=contributor_body(email=first["email"].upper()))

    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    ("field", "value", "pointer"),
    [
        ("country", "XX", "/country"),
        ("country", "UK", "/country"),
        ("country", "FRA", "/country"),
        ("timezone", "Mars/Olympus_Mons", "/timezone"),
        ("timezone", "UTC+3", "/timezone"),
        ("languages", [{"code": "en_US", "proficiency": "native"}], "/languages/0/code"),
        ("languages", [{"code": "en", "proficiency": "expert"}], "/languages/0/proficiency"),
        (
            "languages",
            [{"code": "en", "proficiency": "native"}, {"code": "en", "proficiency": "basic"}],
            "/languages",
        ),
        ("skills", ["ner", "ner"], "/skills"),
        ("email", "not-an-email", "/email"),
        ("full_name", "   ", "/full_name"),
        ("source_channel", "carrier-pigeon", "/source_channel"),
        ("vendor_id", 0, "/vendor_id"),
        ("campaign_id", 987654321, "/campaign_id"),
        ("status", "active", "/status"),
    ],
)
def test_every_bad_field_is_a_422_naming_it(support, field, value, pointer):
    response = support.post("/api/v1/contributors", json=contributor_body(**{field: value}))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert pointer in {e["pointer"] for e in response.json()["errors"]}


def test_read_returns_the_etag_of_the_current_version(support):
    created = new_contributor(support)

    response = support.get(f"/api/v1/contributors/{created['id']}")

    assert response.status_code == 200
    assert response.headers["etag"] == f'"{created["id"]}-1"'


def test_unknown_contributor_is_404(support):
    assert support.get("/api/v1/contributors/987654321").status_code == 404


def test_update_needs_if_match(support):
    created = new_contributor(support)

    response = support.patch(f"/api/v1/contributors/{created['id']}", json={"full_name": "Ada L."})

    assert response.status_code == 428


def test_update_with_the_current_etag_changes_the_fields_sent_and_the_version(support):
    created = new_contributor(support)
    etag = support.get(f"/api/v1/contributors/{created['id']}").headers["etag"]

    response = support.patch(
        f"/api/v1/contributors/{created['id']}",
        json={"full_name": "Ada Lovelace", "skills": ["ner", "bbox"]},
        headers={"If-Match": etag},
    )

    updated = response.json()
    assert response.status_code == 200
    assert (updated["full_name"], updated["skills"], updated["version"]) == (
        "Ada Lovelace",
        ["ner", "bbox"],
        2,
    )
    assert updated["country"] == created["country"]
    assert response.headers["etag"] == f'"{created["id"]}-2"'


def test_update_with_a_stale_etag_is_412(support):
    created = new_contributor(support)
    etag = support.get(f"/api/v1/contributors/{created['id']}").headers["etag"]
    support.patch(
        f"/api/v1/contributors/{created['id']}", json={"full_name": "First"}, headers={"If-Match": etag}
    )

    late = support.patch(
        f"/api/v1/contributors/{created['id']}", json={"full_name": "Second"}, headers={"If-Match": etag}
    )

    assert late.status_code == 412
    assert support.get(f"/api/v1/contributors/{created['id']}").json()["full_name"] == "First"


def test_update_refuses_null_for_required_fields_and_bad_values(support):
    created = new_contributor(support)
    etag = support.get(f"/api/v1/contributors/{created['id']}").headers["etag"]
    url = f"/api/v1/contributors/{created['id']}"

    nulled = support.patch(url, json={"full_name": None}, headers={"If-Match": etag})
    bad_zone = support.patch(url, json={"timezone": "Europe/Atlantis"}, headers={"If-Match": etag})
    server_owned = support.patch(url, json={"status": "active"}, headers={"If-Match": etag})

    assert nulled.status_code == 422 and nulled.json()["errors"][0]["pointer"] == "/full_name"
    assert bad_zone.status_code == 422 and bad_zone.json()["errors"][0]["pointer"] == "/timezone"
    assert server_owned.status_code == 422


def test_update_to_a_taken_email_is_409(support):
    first, second = new_contributor(support), new_contributor(support)
    etag = support.get(f"/api/v1/contributors/{second['id']}").headers["etag"]

    response = support.patch(
        f"/api/v1/contributors/{second['id']}", json={"email": first["email"]}, headers={"If-Match": etag}
    )

    assert response.status_code == 409


def _ids(client, **params) -> list[int]:
    response = client.get("/api/v1/contributors", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


@pytest.fixture(scope="module")
def population(support, admin):
    """A small crowd with one distinctive marker in their names, to filter among them only."""
    marker = unique_email("crowd").split("@")[0]
    campaign = admin.post(
        "/api/v1/campaigns",
        json={"name": f"campaign {marker}", "channel": "social", "starts_on": "2026-01-01"},
    ).json()
    people = {
        "pt_br": new_contributor(
            support,
            full_name=f"Bruna {marker}",
            country="BR",
            timezone="America/Sao_Paulo",
            languages=[{"code": "pt-BR", "proficiency": "native"}],
            skills=["audio"],
            vendor_id=71,
        ),
        "pt_pt": new_contributor(
            support,
            full_name=f"Pedro {marker}",
            country="PT",
            timezone="Europe/Lisbon",
            languages=[{"code": "pt-PT", "proficiency": "basic"}],
            skills=["ner", "audio"],
            campaign_id=campaign["id"],
        ),
        "fr": new_contributor(
            support,
            full_name=f"Amélie {marker}",
            country="FR",
            timezone="Europe/Paris",
            languages=[{"code": "fr", "proficiency": "fluent"}],
            skills=["ner"],
            campaign_id=campaign["id"],
            vendor_id=71,
        ),
    }
    activate(support, people["fr"]["id"])
    return {"marker": marker, "campaign": campaign, **people}


def test_filters_narrow_the_list(support, population):
    q = population["marker"]
    ids = {name: population[name]["id"] for name in ("pt_br", "pt_pt", "fr")}

    assert set(_ids(support, q=q)) == set(ids.values())
    assert _ids(support, q=q, language="pt") == [ids["pt_br"], ids["pt_pt"]]
    assert _ids(support, q=q, language="pt-BR") == [ids["pt_br"]]
    assert _ids(support, q=q, language="pt", min_proficiency="fluent") == [ids["pt_br"]]
    assert _ids(support, q=q, country="pt") == [ids["pt_pt"]]
    assert _ids(support, q=q, skill="audio") == [ids["pt_br"], ids["pt_pt"]]
    assert _ids(support, q=q, vendor_id=71) == [ids["pt_br"], ids["fr"]]
    assert _ids(support, q=q, campaign_id=population["campaign"]["id"]) == [ids["pt_pt"], ids["fr"]]
    assert _ids(support, q=q, status="active") == [ids["fr"]]
    assert _ids(support, q=q, status=["active", "applied"]) == sorted(ids.values())
    assert _ids(support, q=q, skill="audio", vendor_id=71) == [ids["pt_br"]]


def test_text_search_matches_part_of_the_name_or_email_in_any_case(support, population):
    by_name = _ids(support, q=f"AMÉLIE {population['marker']}".lower())
    by_email = _ids(support, q=population["pt_br"]["email"].split("@")[0][-8:].upper())

    assert by_name == [population["fr"]["id"]]
    assert population["pt_br"]["id"] in by_email


def test_exact_email_finds_one_contributor_in_any_case(support, population):
    response = support.get("/api/v1/contributors", params={"email": population["pt_pt"]["email"].upper()})

    assert [c["id"] for c in response.json()["items"]] == [population["pt_pt"]["id"]]


def test_created_window_is_inclusive_since_and_exclusive_until(support, population):
    created = datetime.fromisoformat(population["pt_pt"]["created_at"])
    q = population["marker"]

    from_it = _ids(support, q=q, created_since=created.isoformat())
    before_it = _ids(support, q=q, created_until=created.isoformat())
    future = _ids(support, q=q, created_since=(datetime.now(UTC) + timedelta(days=1)).isoformat())

    assert population["pt_pt"]["id"] in from_it and population["pt_br"]["id"] not in from_it
    assert before_it == [population["pt_br"]["id"]]
    assert future == []


@pytest.mark.parametrize(
    "params",
    [
        {"language": "pt_BR"},
        {"country": "ZZ"},
        {"status": "banned"},
        {"created_since": "yesterday"},
        {"created_since": "2026-01-01T00:00:00"},
        {"created_since": "2026-02-01T00:00:00Z", "created_until": "2026-01-01T00:00:00Z"},
        {"created_from": "2026-01-01T00:00:00Z"},
        {"sort": "password"},
        {"limit": 501},
        {"cursor": "not-a-cursor"},
        {"min_proficiency": "expert"},
    ],
)
def test_bad_filters_are_422_naming_the_parameter(support, params):
    response = support.get("/api/v1/contributors", params=params)

    assert response.status_code == 422, response.text
    pointers = [e["pointer"] for e in response.json()["errors"]]
    assert any(p.split("/")[1] in params for p in pointers), pointers


def test_cursor_pages_walk_every_row_once_in_the_chosen_order(support, population):
    q = population["marker"]
    seen, cursor = [], None
    while True:
        params = {"q": q, "sort": "-full_name", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = support.get("/api/v1/contributors", params=params).json()
        seen += [c["full_name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted((population[n]["full_name"] for n in ("pt_br", "pt_pt", "fr")), reverse=True)


def test_a_cursor_made_for_another_sort_is_refused(support, population):
    page = support.get("/api/v1/contributors", params={"q": population["marker"], "limit": 1}).json()

    response = support.get("/api/v1/contributors", params={"sort": "-email", "cursor": page["next_cursor"]})

    assert response.status_code == 422


def test_a_contributor_edits_only_its_own_personal_fields(users, support):
    created = new_contributor(support)
    me = users.create("contributor", contributor_id=created["id"])
    url = f"/api/v1/contributors/{created['id']}"

    own = me.patch(
        url, json={"full_name": "Ada by herself"}, headers={"If-Match": me.get(url).headers["etag"]}
    )
    vendor_move = me.patch(url, json={"vendor_id": 3}, headers={"If-Match": me.get(url).headers["etag"]})
    skills = me.patch(url, json={"skills": ["everything"]}, headers={"If-Match": me.get(url).headers["etag"]})

    assert own.status_code == 200 and own.json()["full_name"] == "Ada by herself"
    assert vendor_move.status_code == 403
    assert skills.status_code == 403
