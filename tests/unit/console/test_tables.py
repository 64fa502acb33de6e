"""A paged table's links keep its filters, page by the API's cursor and download the same rows."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from services.console.rules.tables import table_links


def _query(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query)


def test_every_link_keeps_the_filters_even_with_characters_a_query_string_gives_meaning_to():
    params = {"q": "R&D #2 + ops", "status": "active"}

    links = table_links("/vendors", params, cursor="abc", next_cursor="c+/=", download="/vendors/download")

    assert _query(links["next_link"]) == {"q": ["R&D #2 + ops"], "status": ["active"], "cursor": ["c+/="]}
    assert _query(links["first_link"]) == {"q": ["R&D #2 + ops"], "status": ["active"]}
    assert urlsplit(links["download_link"]("xlsx")).path == "/vendors/download.xlsx"
    assert _query(links["download_link"]("csv")) == {"q": ["R&D #2 + ops"], "status": ["active"]}


def test_the_first_page_has_no_way_back_and_the_last_no_way_on():
    first = table_links("/people", {}, cursor=None, next_cursor="n", download="/people/download")
    last = table_links("/people", {}, cursor="n", next_cursor=None, download="/people/download")

    assert first["first_link"] is None and first["next_link"] == "/people?cursor=n"
    assert last["next_link"] is None and last["first_link"] == "/people"
    assert "sort_link" not in first


def test_a_sortable_table_sorts_a_column_ascending_then_descending_from_the_first_page():
    params = {"status": "open", "sort": "due"}

    links = table_links(
        "/desk", params, cursor="x", next_cursor=None, download="/desk/tickets/download", sort="due"
    )

    assert _query(links["sort_link"]("due")) == {"status": ["open"], "sort": ["-due"]}
    assert _query(links["sort_link"]("priority")) == {"status": ["open"], "sort": ["priority"]}
