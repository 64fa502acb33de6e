"""Lists as files: which answer a caller asked for, how an item becomes a row, and what a capped file says."""

import asyncio
import csv
import io

import pytest

from services.gateway.rules.list_exports import (
    XLSX_MEDIA_TYPE,
    document_list_exports,
    download_name,
    export_format,
    flat_row,
    page_query,
)
from services.gateway.service.list_exports import Spool, _csv


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv", "csv"),
        (XLSX_MEDIA_TYPE, "xlsx"),
        ("text/csv;q=0.9, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("application/json, text/csv", None),
        ("text/csv;q=0.5, application/json", None),
        ("text/html,application/xhtml+xml,*/*;q=0.8", None),
        ("text/csv;q=0", None),
        ("text/csv;q=nonsense", None),
        (None, None),
        ("", None),
    ],
)
def test_a_file_only_when_the_caller_prefers_it_to_everything_else(accept, expected):
    assert export_format(accept) == expected


def test_nested_objects_become_dotted_columns_and_lists_joined_text():
    item = {
        "id": 7,
        "vendor": {"id": 3, "name": "Acme", "address": {"country": "PH"}},
        "skills": ["ner", "asr"],
        "languages": [{"code": "en"}, {"code": "tl"}],
        "scores": [1, 2.5, None, True],
        "meta": {},
        "note": None,
    }

    assert flat_row(item) == {
        "id": 7,
        "vendor.id": 3,
        "vendor.name": "Acme",
        "vendor.address.country": "PH",
        "skills": "ner; asr",
        "languages": '{"code":"en"}; {"code":"tl"}',
        "scores": "1; 2.5; null; true",
        "meta": None,
        "note": None,
    }


def test_the_first_page_is_asked_as_the_caller_asked_and_the_next_ones_at_the_cursor():
    assert page_query("q=ann&cursor=abc", cursor=None) == "q=ann&cursor=abc"
    assert page_query("q=ann&sort=-name", cursor="c2") == "q=ann&sort=-name&limit=500&cursor=c2"
    assert (
        page_query("limit=2&status=a&status=b&cursor=c1", cursor="c2")
        == "limit=2&status=a&status=b&cursor=c2"
    )


def test_the_file_is_named_after_the_list():
    assert download_name("/api/v1/vendors/3/invoices", "csv") == "vendors-3-invoices.csv"
    assert download_name('/api/v1/a b/"x"', "xlsx") == "a_b-_x_.xlsx"


def test_a_list_longer_than_the_limit_stops_there_and_the_csv_says_so():
    spool = Spool()
    spool.add([{"id": n, "tags": ["a", "b"]} for n in range(3)], max_rows=5)
    spool.add([{"id": n, "extra": {"k": 1}} for n in range(3, 6)], max_rows=5)

    async def written() -> str:
        return b"".join([chunk async for chunk in _csv(spool, max_rows=5)]).decode()

    rows = list(csv.reader(io.StringIO(asyncio.run(written()))))
    spool.close()
    assert (spool.rows, spool.more) == (5, True)
    # The columns are every row's, in the order they first appeared.
    assert rows[0] == ["id", "tags", "extra.k"]
    assert rows[1] == ["0", "a; b", ""] and rows[5] == ["4", "", "1"]
    assert rows[6][0] == "rows shown" and rows[6][1].startswith(
        "the first 5 rows only (at most 5 are exported)"
    )


def test_the_api_document_declares_csv_and_xlsx_on_forwarded_paged_lists_only():
    document = {
        "paths": {
            "/api/v1/vendors": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page_Thing_"}}}}}}},
            "/api/v1/users": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page_Thing_"}}}}}}},
            "/api/v1/vendors/{id}": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}},
        },
        "components": {
            "schemas": {
                "Page_Thing_": {"properties": {"items": {"type": "array"}, "next_cursor": {"type": "string"}}},
                "Thing": {"properties": {"id": {"type": "integer"}}},
            }
        },
    }  # fmt: skip

    document_list_exports(document)

    def content(path):
        return set(document["paths"][path]["get"]["responses"]["200"]["content"])

    assert content("/api/v1/vendors") == {"application/json", "text/csv", XLSX_MEDIA_TYPE}
    # One object, and a list of the gateway's own (not forwarded), stay JSON.
    assert content("/api/v1/vendors/{id}") == content("/api/v1/users") == {"application/json"}


def test_an_empty_list_is_an_empty_csv():
    spool = Spool()
    spool.add([], max_rows=5)

    async def written() -> bytes:
        return b"".join([chunk async for chunk in _csv(spool, max_rows=5)])

    assert asyncio.run(written()) == b""
    spool.close()
