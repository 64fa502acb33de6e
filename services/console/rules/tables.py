"""Tables sort, filter and page on the server through the API's own parameters: what a page accepts from
its query string, checked against what the API offers, so a hand-edited URL is a clean page, not a 422."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode


def chosen(value: str | None, allowed: Iterable[str], default: str) -> str:
    return value if value in set(allowed) else default


def page_link(path: str, params: Mapping[str, object], **changes: object) -> str:
    """The same table with some parameters changed (a new sort or filter starts again at the first page)."""
    merged = {**params, **changes}
    if "cursor" not in changes:
        merged.pop("cursor", None)
    query = urlencode({k: v for k, v in merged.items() if v not in (None, "", False)}, doseq=True)
    return f"{path}?{query}" if query else path


def sort_toggle(current: str, field: str) -> str:
    """Clicking a column sorts by it ascending, clicking it again descending."""
    return f"-{field}" if current == field else field


def table_links(
    path: str,
    params: Mapping[str, object],
    *,
    cursor: str | None,
    next_cursor: str | None,
    download: str,
    sort: str | None = None,
) -> dict[str, Any]:
    """A paged table's links, all with its filters: the next page, back to the first, the same rows as a
    file (`download` + ".csv" or ".xlsx") and, for a sortable table showing `sort`, a column's sort."""
    links: dict[str, Any] = {
        "next_link": page_link(path, params, cursor=next_cursor) if next_cursor else None,
        "first_link": page_link(path, params) if cursor else None,
        "download_link": lambda format: page_link(f"{download}.{format}", params),
    }
    if sort is not None:
        links["sort_link"] = lambda field: page_link(path, params, sort=sort_toggle(sort, field))
    return links
