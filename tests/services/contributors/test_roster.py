"""CSV rosters, the service in process: import with per-row errors (good rows kept), dry runs, export."""

from __future__ import annotations

import csv
import io

import pytest

from tests.services.contributors.support import new_contributor
from tests.support.api import unique_email

HEADER = "email,full_name,country,timezone,languages,skills,source_channel,vendor_id\n"


def post_csv(client, text: str | bytes, **params):
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        "/api/v1/contributors/import", content=content, headers={"content-type": "text/csv"}, params=params
    )


def test_good_rows_are_created_and_bad_rows_reported_by_line_and_field(ops):
    good_a, good_b, taken = unique_email("roster"), unique_email("roster"), new_contributor(ops)["email"]
    text = (
        HEADER
        + f"{good_a},Ana Souza,BR,America/Sao_Paulo,pt-BR:native;en:fluent,audio;ner,vms,\n"
        + "not-an-email,Bad Mail,FR,Europe/Paris,fr:native,,,\n"
        + f"{unique_email()},Bad Zone,FR,Europe/Atlantis,fr:native,,,\n"
        + f"{unique_email()},Bad Language,FR,Europe/Paris,fr,,,\n"
        + f"{taken},Already Here,PH,Asia/Manila,tl:native,,,\n"
        + "\n"
        + f'{good_b},"Okafor, Chidi",NG,Africa/Lagos,en:fluent;yo:native,,referral,\n'
        + f"{good_b},Same File Twice,NG,Africa/Lagos,,,,\n"
    )

    response = post_csv(ops, text)

    report = response.json()
    assert response.status_code == 200, response.text
    assert (report["rows"], report["created"], report["failed"], report["dry_run"]) == (7, 2, 5, False)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (3, "email"),
        (4, "timezone"),
        (5, "languages"),
        (6, "email"),
        (9, "email"),
    ]
    first, second = (ops.get(f"/api/v1/contributors/{i}").json() for i in report["created_ids"])
    assert (first["email"], first["languages"][0]["code"], first["skills"], first["source_channel"]) == (
        good_a,
        "pt-BR",
        ["audio", "ner"],
        "vms",
    )
    assert second["full_name"] == "Okafor, Chidi"


def test_a_dry_run_validates_without_creating(ops):
    email = unique_email("dry")

    report = post_csv(ops, HEADER + f"{email},Dry Run,KE,Africa/Nairobi,sw:native,,,\n", dry_run=True).json()

    assert (report["created"], report["failed"], report["created_ids"]) == (0, 0, [])
    assert ops.get("/api/v1/contributors", params={"email": email}).json()["items"] == []


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "empty"),
        (b"full_name,country\nA,FR\n", "missing column(s): email, timezone"),
        (b"email,full_name,country,timezone,shoe_size\n", "unknown column(s): shoe_size"),
        ("email,full_name,country,timezone\nx@y.org,Zoë,FR,Europe/Paris\n".encode("utf-16"), "UTF-8"),
    ],
)
def test_a_file_that_is_not_a_roster_is_422(ops, content, detail):
    response = post_csv(ops, content)

    assert response.status_code == 422
    assert detail in response.json()["detail"]


def test_rows_with_more_cells_than_columns_are_reported(ops):
    report = post_csv(ops, "email,full_name,country,timezone\na@b.org,A,FR,Europe/Paris,extra\n").json()

    assert report["errors"] == [{"row": 2, "field": None, "detail": "more cells than columns"}]


def test_a_vendor_imports_its_own_roster_and_cannot_place_people_at_another_vendor(users):
    vendor = users.create("vendor", vendor_id=8080)
    mine, theirs = unique_email("v"), unique_email("v")
    text = (
        HEADER
        + f"{mine},Mine,IN,Asia/Kolkata,hi:native,,vendor,\n{theirs},Theirs,IN,Asia/Kolkata,hi:native,,vendor,9090\n"
    )

    report = post_csv(vendor, text).json()

    assert report["created"] == 1 and report["errors"][0]["field"] == "vendor_id"
    assert vendor.get(f"/api/v1/contributors/{report['created_ids'][0]}").json()["vendor_id"] == 8080


def test_an_integration_imports_but_cannot_browse(users):
    integration = users.create("integration")

    report = post_csv(
        integration, HEADER + f"{unique_email()},Via VMS,MX,America/Mexico_City,es:native,,vms,\n"
    ).json()

    assert report["created"] == 1
    assert integration.get("/api/v1/contributors").status_code == 403


def test_export_writes_the_filtered_list_as_csv_that_imports_again(ops, admin):
    marker = unique_email("exp").split("@")[0]
    new_contributor(ops, full_name=f"=HYPERLINK(evil) {marker}", skills=["ner", "audio"])
    new_contributor(ops, full_name=f"Plain {marker}", country="FR", timezone="Europe/Paris")

    response = ops.get("/api/v1/contributors/export", params={"q": marker})

    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert [r["full_name"] for r in rows] == [f"'=HYPERLINK(evil) {marker}", f"Plain {marker}"]
    assert rows[0]["languages"] == "tl:native;en:fluent" and rows[0]["skills"] == "ner;audio"
    # Re-importing the same file: every row is refused as a duplicate, none because of its format.
    again = post_csv(ops, response.text).json()
    assert {e["field"] for e in again["errors"]} == {"email"} and again["created"] == 0


def test_a_vendor_exports_only_its_own_people(users, ops):
    marker = unique_email("vexp").split("@")[0]
    new_contributor(ops, full_name=f"Ours {marker}", vendor_id=7070)
    new_contributor(ops, full_name=f"Theirs {marker}", vendor_id=7071)
    vendor = users.create("vendor", vendor_id=7070)

    rows = list(
        csv.DictReader(io.StringIO(vendor.get("/api/v1/contributors/export", params={"q": marker}).text))
    )

    assert [r["full_name"] for r in rows] == [f"Ours {marker}"]


def test_contributors_and_analysts_cannot_import(users):
    for role in ("contributor", "analyst", "vendor_manager"):
        assert post_csv(users.create(role, contributor_id=1), HEADER).status_code == 403, role
