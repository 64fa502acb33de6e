"""Any paged list as a CSV or XLSX file through the gateway (README "Lists as files"): every page, as the
caller, flattened, with a cover sheet; other answers and other Accept values stay what they were."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from openpyxl import load_workbook

from tests.services.contributors.support import new_contributor
from tests.services.vendors.support import new_vendor
from tests.support.waiting import eventually

CSV = {"Accept": "text/csv"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX = {"Accept": XLSX_TYPE}


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


@pytest.fixture(scope="module")
def two_vendors(admin):
    """Three people of one vendor and two of another, all named with one word found nowhere else."""
    word = f"Exportable{uuid.uuid4().hex[:8]}"
    ours, theirs = new_vendor(admin, name=f"{word} ours"), new_vendor(admin, name=f"{word} theirs")
    people = {
        ours["id"]: [new_contributor(admin, full_name=f"{word} {n}", vendor_id=ours["id"]) for n in range(3)],
        theirs["id"]: [
            new_contributor(admin, full_name=f"{word} {n}", vendor_id=theirs["id"]) for n in range(2)
        ],
    }
    return {"word": word, "ours": ours, "theirs": theirs, "people": people}


def test_a_list_as_csv_holds_every_page_flattened(ops, two_vendors):
    response = ops.get("/api/v1/contributors", params={"q": two_vendors["word"], "limit": 2}, headers=CSV)

    rows = _csv(response)
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="contributors.csv"'
    assert (response.headers["x-export-rows"], response.headers["x-export-truncated"]) == ("5", "false")
    assert "accept" in response.headers["vary"].lower()
    people = [p for group in two_vendors["people"].values() for p in group]
    assert sorted(int(r["id"]) for r in rows) == sorted(p["id"] for p in people)
    # A list of objects is one cell of joined JSON values; a list of strings joins its strings.
    mine = next(r for r in rows if int(r["id"]) == people[0]["id"])
    assert mine["skills"] == "ner" and '"code":"tl"' in mine["languages"] and "; " in mine["languages"]


def test_a_vendor_users_file_holds_only_its_own_vendors_rows(users, two_vendors):
    ours = two_vendors["ours"]["id"]
    partner = users.create("vendor", vendor_id=ours)

    rows = _csv(
        partner.get("/api/v1/contributors", params={"q": two_vendors["word"], "limit": 2}, headers=CSV)
    )

    assert sorted(int(r["id"]) for r in rows) == sorted(p["id"] for p in two_vendors["people"][ours])
    assert {r["vendor_id"] for r in rows} == {str(ours)}


def test_a_list_as_xlsx_opens_on_a_cover_and_has_typed_cells_under_a_frozen_filtered_header(ops, two_vendors):
    response = ops.get("/api/v1/vendors", params={"q": two_vendors["word"], "limit": 1}, headers=XLSX)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_TYPE
    assert 'filename="vendors.xlsx"' in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["About", "vendors"]
    cover = {
        r[0].value: r[1].value for r in workbook["About"].iter_rows(min_row=2) if len(r) > 1 and r[0].value
    }
    assert cover["list"] == f"GET /api/v1/vendors?q={two_vendors['word']}&limit=1"
    assert (cover["rows"], cover["rows shown"]) == (2, "all 2 rows")
    sheet = workbook["vendors"]
    header = [c.value for c in sheet[1]]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet[1][-1].column_letter}3"
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2)]
    assert sorted(r["id"].value for r in rows) == sorted(
        [two_vendors["ours"]["id"], two_vendors["theirs"]["id"]]
    )
    assert all(r["id"].data_type == "n" and r["created_at"].is_date for r in rows)


def test_a_text_column_keeps_a_value_that_looks_like_a_number(ops, two_vendors):
    person = two_vendors["people"][two_vendors["ours"]["id"]][0]
    for subject in ("1.50", "Payout missing"):
        body = {"contributor_id": person["id"], "channel": "web", "category": "payment", "subject": subject,
                "body": "see subject", "priority": "P3"}  # fmt: skip
        assert ops.post("/api/v1/tickets", json=body).status_code == 201

    response = ops.get("/api/v1/tickets", params={"contributor_id": person["id"]}, headers=XLSX)

    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content))["tickets"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2)]
    # The subject column is text in every row, "1.50" as it was written (not the number 1.5).
    assert sorted((r["subject"].value, r["subject"].data_type) for r in rows) == [
        ("1.50", "s"), ("Payout missing", "s")
    ]  # fmt: skip
    assert all(r["created_at"].is_date for r in rows)


def test_an_answer_that_is_not_a_list_is_relayed_as_it_came(ops, two_vendors):
    one = ops.get(f"/api/v1/vendors/{two_vendors['ours']['id']}", headers=CSV)
    missing = ops.get("/api/v1/vendors/999999999", headers=CSV)

    assert one.status_code == 200 and one.json()["id"] == two_vendors["ours"]["id"]
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(
        "application/problem+json"
    )


@pytest.mark.parametrize(
    "accept", ["application/json", "text/html,*/*;q=0.8", "text/csv;q=0.5, application/json"]
)
def test_any_other_preference_stays_json(ops, two_vendors, accept):
    response = ops.get("/api/v1/vendors", params={"q": two_vendors["word"]}, headers={"Accept": accept})

    assert response.status_code == 200 and len(response.json()["items"]) == 2


def test_the_api_document_declares_the_files_of_a_list(admin):
    def complete():
        # A service slow to answer leaves its paths out of that (uncached) document: asked again.
        document = admin.get("/openapi.json").json()
        return document if "/api/v1/vendors" in document["paths"] else None

    document = eventually(complete)

    content = document["paths"]["/api/v1/vendors"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", XLSX_TYPE} <= set(content)
    assert (
        "text/csv"
        not in document["paths"]["/api/v1/vendors/{vendor_id}"]["get"]["responses"]["200"]["content"]
    )
