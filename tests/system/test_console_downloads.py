"""The console's list pages download their lists as CSV and XLSX: the real console process asks the gateway
for the file with the signed-in viewer's token and passes it through (README "Lists as files")."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from openpyxl import load_workbook

from tests.services.contributors.support import new_contributor
from tests.services.vendors.support import new_vendor
from tests.support.cluster import Cluster
from tests.support.console import running_console

PASSWORD = "console-download-password-1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def console_url(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_console(cluster, tmp_path_factory.mktemp("console")) as console:
        yield console.url


@pytest.fixture(scope="module")
def world(admin):
    word = f"Downloadable{uuid.uuid4().hex[:8]}"
    ours, theirs = new_vendor(admin, name=f"{word} ours"), new_vendor(admin, name=f"{word} theirs")
    people = {
        vendor["id"]: [
            new_contributor(admin, full_name=f"{word} {n}", vendor_id=vendor["id"]) for n in range(2)
        ]
        for vendor in (ours, theirs)
    }
    return {"word": word, "ours": ours, "theirs": theirs, "people": people}


def _signed_in(admin, console_url: str, *roles: str, vendor_id: int | None = None) -> httpx.Client:
    email = f"console-dl-{uuid.uuid4().hex[:8]}@example.org"
    body = {"email": email, "password": PASSWORD, "roles": list(roles), "vendor_id": vendor_id}
    assert admin.post("/api/v1/users", json=body).status_code == 201
    browser = httpx.Client(base_url=console_url, timeout=30)
    form = browser.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    signed = browser.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf, "next": "/"}
    )
    assert signed.status_code == 303, signed.text
    return browser


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_people_page_links_its_list_as_files_with_its_filters(admin, console_url, world):
    ops = _signed_in(admin, console_url, "ops")

    page = ops.get("/people", params={"q": world["word"]})

    assert page.status_code == 200
    assert f'href="/people/download.csv?q={world["word"]}' in page.text
    assert f'href="/people/download.xlsx?q={world["word"]}' in page.text


def test_a_staff_download_holds_every_match_as_the_api_gives_it(admin, console_url, world):
    ops = _signed_in(admin, console_url, "ops")

    response = ops.get("/people/download.csv", params={"q": world["word"]})

    rows = _csv(response)
    assert 'filename="contributors.csv"' in response.headers["content-disposition"]
    everyone = [p["id"] for group in world["people"].values() for p in group]
    assert sorted(int(r["id"]) for r in rows) == sorted(everyone)


def test_a_vendor_users_downloads_hold_its_own_rows_only(admin, console_url, world):
    ours = world["ours"]["id"]
    partner = _signed_in(admin, console_url, "vendor", vendor_id=ours)

    people = _csv(partner.get("/people/download.csv", params={"q": world["word"]}))
    vendors = _csv(partner.get("/vendors/download.csv", params={"q": world["word"]}))

    assert sorted(int(r["id"]) for r in people) == sorted(p["id"] for p in world["people"][ours])
    assert [int(r["id"]) for r in vendors] == [ours]


def test_the_vendors_list_downloads_as_a_workbook_that_opens(admin, console_url, world):
    ops = _signed_in(admin, console_url, "ops")

    response = ops.get("/vendors/download.xlsx", params={"q": world["word"]})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_TYPE
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["About", "vendors"]
    names = [row[1] for row in workbook["vendors"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted([world["ours"]["name"], world["theirs"]["name"]])


@pytest.mark.parametrize(
    ("page", "download"),
    [
        ("/desk", "/desk/tickets/download.csv"),
        ("/projects", "/projects/download.csv"),
        ("/vendors", "/vendors/download.csv"),
    ],
)
def test_every_list_page_links_a_download_that_answers_a_file(admin, console_url, page, download):
    ops = _signed_in(admin, console_url, "ops")

    shown = ops.get(page)
    response = ops.get(download)

    assert shown.status_code == 200 and f'href="{download}' in shown.text
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]


def test_a_vendors_invoices_download_from_its_page(admin, console_url, world):
    ops = _signed_in(admin, console_url, "ops")
    vendor_id = world["ours"]["id"]

    shown = ops.get(f"/vendors/{vendor_id}")
    response = ops.get(f"/vendors/{vendor_id}/invoices/download.xlsx")

    assert f'href="/vendors/{vendor_id}/invoices/download.xlsx"' in shown.text
    assert response.status_code == 200, response.text
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["About", "invoices"]
