"""Any list as a file: a `GET` of a list the API pages as `{items, next_cursor}`, asked with
`Accept: text/csv` or the XLSX media type, is walked page by page as the caller and written as a CSV or a
workbook (`service.list_exports` does the walking). Here: which answer the caller asked for, how an item
becomes a flat row, what the file is called and says about itself — plain functions of values."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode

import orjson

from services.gateway.rules.forwarding import owning_service
from shared.pagination import MAX_PAGE_SIZE
from shared.spreadsheets import XLSX_MEDIA_TYPE

ExportFormat = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, ExportFormat] = {"text/csv": "csv", XLSX_MEDIA_TYPE: "xlsx"}
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# Nested objects become dotted columns (`vendor.name`); a list becomes one cell, its values joined by this.
LIST_SEPARATOR = "; "
# A page bigger than this is not read whole (the API's pages are far smaller: at most 500 items).
MAX_PAGE_BYTES = 16 * 1024 * 1024


def export_format(accept: str | None) -> ExportFormat | None:
    """The file the caller prefers, when it prefers CSV or XLSX to everything else it accepts (highest q;
    on a tie the first listed); anything else — JSON, */*, a browser's default — is the JSON answer."""
    if not accept or ("csv" not in accept and "spreadsheetml" not in accept):
        return None  # nearly every request: no parsing on the forwarding path
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept or "").split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0 and (best is None or quality > best[0]):
            best = (quality, position, media.lower())
    return MEDIA_TYPES.get(best[2]) if best else None


def is_page(body: Any) -> bool:
    """An answer of a paged list: `{items: [...], next_cursor: str | null}`."""
    return (
        isinstance(body, dict)
        and isinstance(body.get("items"), list)
        and "next_cursor" in body
        and (body["next_cursor"] is None or isinstance(body["next_cursor"], str))
    )


def page_query(query: str, *, cursor: str | None) -> str:
    """The query of a page: the first is asked exactly as the caller asked it (an answer that is no list
    must not be refused for a parameter the gateway added); the next ones at `cursor`, with the caller's
    filters, sort and `limit`, or, without a limit of the caller's, the most the API gives at once."""
    if cursor is None:
        return query
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "cursor"]
    if not any(k == "limit" for k, _ in pairs):
        pairs.append(("limit", str(MAX_PAGE_SIZE)))
    pairs.append(("cursor", cursor))
    return urlencode(pairs, doseq=True)


def _joined(values: list[Any]) -> str:
    return LIST_SEPARATOR.join(v if isinstance(v, str) else orjson.dumps(v).decode() for v in values)


def flat_row(item: Any, prefix: str = "") -> dict[str, Any]:
    """An item as one row: nested objects as dotted columns, lists as joined text, scalars as they are."""
    if not isinstance(item, dict):
        return {prefix.rstrip(".") or "value": _joined(item) if isinstance(item, list) else item}
    row: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            row.update(flat_row(value, f"{name}."))
        elif isinstance(value, dict):
            row[name] = None
        elif isinstance(value, list):
            row[name] = _joined(value)
        else:
            row[name] = value
    return row


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def download_name(path: str, fmt: ExportFormat) -> str:
    """`/api/v1/vendors/3/invoices` → `vendors-3-invoices.csv`."""
    name = "-".join(s for s in path.removeprefix("/api/v1/").split("/") if s)
    return (re.sub(r"[^A-Za-z0-9._-]", "_", name)[:100] or "export") + f".{fmt}"


def shown_note(rows: int, *, more: bool, max_rows: int) -> str:
    """What the file says about its completeness, as the handover's "items shown" line does."""
    if more:
        return (
            f"the first {rows} rows only (at most {max_rows} are exported): more match; narrow the filters "
            "or page the API with its cursor"
        )
    return f"all {rows} rows"


def cover_facts(
    *, path: str, query: str, generated_at: datetime, rows: int, more: bool, max_rows: int
) -> list[tuple[str, Any]]:
    """The cover sheet's lines: which list, as whom, when, how complete, and how its columns are made."""
    shown_query = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "cursor"])
    return [
        ("list", f"GET {path}" + (f"?{shown_query}" if shown_query else "")),
        ("as", "the caller who asked: every row is one the API shows them (the same token and access rules)"),
        ("generated at (UTC)", generated_at),
        ("rows", rows),
        ("rows shown", shown_note(rows, more=more, max_rows=max_rows)),
        (
            "columns",
            "the API's fields; nested objects as dotted names (vendor.name), lists as one cell joined "
            f"with {LIST_SEPARATOR.strip()!r}; times in UTC; a column is typed as times, dates or numbers "
            "only when every row's value is one, else kept as the text it is",
        ),
    ]


def document_list_exports(document: dict[str, Any]) -> None:
    """Declare the CSV and XLSX answers on every forwarded GET whose 200 is a page of `{items,
    next_cursor}` (the gateway's own lists are not forwarded and answer JSON only)."""
    schemas = document.get("components", {}).get("schemas", {})
    for path, operations in document.get("paths", {}).items():
        operation = operations.get("get")
        if owning_service(path) is None or not isinstance(operation, dict):
            continue
        ok = operation.get("responses", {}).get("200")
        schema = ((ok or {}).get("content") or {}).get("application/json", {}).get("schema") or {}
        ref = schema.get("$ref", "")
        schema = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema
        if {"items", "next_cursor"} <= set(schema.get("properties") or {}):
            ok["content"]["text/csv"] = {"schema": {"type": "string"}}
            ok["content"][XLSX_MEDIA_TYPE] = {"schema": {"type": "string", "format": "binary"}}
            ok["description"] = (
                ok.get("description", "")
                + ". `Accept: text/csv` or the XLSX media type answers every page of the list as one file "
                '(the gateway follows `next_cursor` as the caller; README "Lists as files")'
            )
