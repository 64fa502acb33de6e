"""Operations reports composed from every service's report sections, and their files.

Each service answers `GET /internal/reports/handover` with `{"sections": {title: {"summary": {…},
"items": [{…}, …]}}}` and `GET /internal/reports/kpis` with `{"rows": [{"scope", "id", <figures>…}]}`
(the contract is `shared.reports`; `service.reports` asks them). Here those answers become one report,
rendered as CSV or an XLSX workbook (a sheet per section): plain functions of values.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from shared.settings import SERVICE_NAMES

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Period = Literal["shift", "day", "week", "month"]
PERIOD_HOURS = {"shift": 8, "day": 24, "week": 24 * 7, "month": 24 * 30}
# The KPI columns that are decimal strings in JSON and CSV (vendors' money and units).
DECIMAL_COLUMNS = frozenset({"spend", "priced_units", "unpriced_units", "cost_per_accepted_label_contracted"})


@dataclass(frozen=True)
class Section:
    service: str
    title: str
    summary: dict[str, Any]
    items: list[dict[str, Any]]
    total: int | None = None  # how many items there are in all, when the service counted them
    truncated: bool = False  # only the first of `total` are in `items`


def period_start(until: datetime, period: Period) -> datetime:
    """One period before `until`, where a report window starts unless the caller says otherwise."""
    try:
        return until - timedelta(hours=PERIOD_HOURS[period])
    except OverflowError:  # an `until` in year 1 has no period before it
        return until


def handover_from(answers: dict[str, dict[str, Any]]) -> list[Section]:
    """The sections of every service, in service order and each service's own order."""
    return [
        Section(
            name,
            title,
            body.get("summary") or {},
            body.get("items") or [],
            total=body.get("total"),
            truncated=bool(body.get("truncated")),
        )
        for name in SERVICE_NAMES
        for title, body in (answers.get(name, {}).get("sections") or {}).items()
    ]


def merge_kpi_rows(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for the same (scope, id) from several services become one row with all their figures."""
    merged: dict[tuple[str, Any], dict[str, Any]] = {}
    for answer in answers:
        for row in answer.get("rows", []):
            key = (row["scope"], row["id"])
            merged.setdefault(key, {"scope": row["scope"], "id": row["id"]}).update(row)
    return sorted(merged.values(), key=lambda r: (r["scope"], str(r["id"])))


def kpis_from(answers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (scope, id) with every service's figures, as each owning service computed them (the
    gateway adds none of its own: a KPI has one definition, in its owning service's rules/kpis.py)."""
    return merge_kpi_rows([answers[name] for name in SERVICE_NAMES if name in answers])


def _columns(items: list[dict[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for item in items:
        columns.update(dict.fromkeys(item))
    return list(columns)


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | Decimal):
        return value
    return str(value)


def _safe_text(value: Any) -> Any:
    # A cell starting with = + - @ is run as a formula by Excel and Sheets (CSV/formula injection, OWASP):
    # free text from tickets and notes is written as text, never as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _row(values: list[Any]) -> list[Any]:
    return [_safe_text(_cell(v)) for v in values]


def _summary_lines(section: Section) -> list[tuple[str, Any]]:
    """The summary's pairs, then, when the items were capped, a line saying how many are shown of how many."""
    lines = list(section.summary.items())
    if section.truncated:
        lines.append(("items shown", f"the first {len(section.items)} of {section.total}"))
    return lines


def sections_as_csv(sections: list[Section]) -> str:
    """One CSV: a block per section (its title, summary lines, then its item table), a blank line between."""
    out = io.StringIO()
    writer = csv.writer(out)
    for section in sections:
        writer.writerow(_row([section.title]))
        for key, value in _summary_lines(section):
            writer.writerow(_row([key, value]))
        columns = _columns(section.items)
        if columns:
            writer.writerow(columns)
            writer.writerows([_row([item.get(c) for c in columns]) for item in section.items])
        writer.writerow([])
    return out.getvalue()


def rows_as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    columns = _columns(rows)
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([_row([row.get(c) for c in columns]) for row in rows])
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique within the workbook.
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate.lower() in used:
        candidate = f"{clean[:28]} {n}"
        n += 1
    used.add(candidate.lower())
    return candidate


def _xlsx_cell(value: Any) -> Any:
    # XML 1.0 has no control characters but tab and newlines, and openpyxl refuses a cell holding one (a
    # vertical tab pasted into a shift note): they are dropped, as a spreadsheet could not show them anyway.
    value = _cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _append(sheet: Any, values: list[Any]) -> None:
    sheet.append([_xlsx_cell(v) for v in values])
    for cell in sheet[sheet.max_row]:
        # openpyxl stores text starting with "=" as a formula; free text must stay text.
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def sections_as_xlsx(sections: list[Section]) -> bytes:
    """A workbook with a sheet per section: summary pairs on top, the item table below."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for section in sections or [Section("", "Handover", {}, [])]:
        sheet = workbook.create_sheet(_sheet_title(section.title, used))
        for key, value in _summary_lines(section):
            _append(sheet, [key, value])
        columns = _columns(section.items)
        if columns:
            if section.summary:
                sheet.append([])
            _append(sheet, columns)
            for item in section.items:
                _append(sheet, [item.get(c) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _typed(column: str, value: Any) -> Any:
    """Money and units travel as exact decimal strings; a workbook gets them as numbers one can SUM."""
    if column in DECIMAL_COLUMNS and isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def rows_as_xlsx(rows: list[dict[str, Any]], *, title: str) -> bytes:
    columns = _columns(rows)
    items = [{c: _typed(c, row.get(c)) for c in columns} for row in rows]
    return sections_as_xlsx([Section("", title, {}, items)])
