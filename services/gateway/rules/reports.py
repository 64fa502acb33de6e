"""Operations reports composed from every service's report sections, and their files.

Each service answers `GET /internal/reports/handover` with `{"sections": {title: {"summary": {…},
"items": [{…}, …]}}}` and `GET /internal/reports/kpis` with `{"rows": [{"scope", "id", <figures>…}]}`
(the contract is `shared.reports`; `service.reports` asks them). Here those answers become one report,
rendered as CSV or an XLSX workbook (a sheet per section): plain functions of values.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from shared import spreadsheets
from shared.settings import SERVICE_NAMES

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


def definitions_from(answers: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Every KPI definition the services answered with their figures, in service order (each service
    defines the KPIs it owns, in its rules/kpis.py: the gateway repeats their words, never its own)."""
    merged: dict[str, str] = {}
    for name in SERVICE_NAMES:
        merged.update((answers.get(name) or {}).get("definitions") or {})
    return merged


@dataclass(frozen=True)
class Cover:
    """What a report file's "About" sheet names: the report, its window, when it was made, and the
    definitions of the KPIs it may show (only those it does show are written)."""

    report: str
    since: datetime
    until: datetime
    generated_at: datetime
    definitions: dict[str, str] = field(default_factory=dict)
    period: str | None = None


def _columns(items: list[dict[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for item in items:
        columns.update(dict.fromkeys(item))
    return list(columns)


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | Decimal):
        return value
    return str(value)


def _row(values: list[Any]) -> list[Any]:
    return [spreadsheets.csv_text(_cell(v)) for v in values]


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


def _typed(column: str, value: Any) -> Any:
    """What crossed JSON as text becomes the cell it stands for: timestamps as UTC times, and money and
    units (exact decimal strings, whole units too) as numbers one can SUM."""
    if column in DECIMAL_COLUMNS and isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return spreadsheets.typed_from_json(value)


def _write_cover(sheet: Any, cover: Cover, *, shown: set[str], sheets: int) -> None:
    facts: list[tuple[str, Any]] = [
        ("report", cover.report),
        ("window", "[since, until): figures count what happened from since up to until; times in UTC"),
        ("since (UTC)", cover.since),
        ("until (UTC)", cover.until),
    ]
    if cover.period:
        facts.append(("period", cover.period))
    facts += [("generated at (UTC)", cover.generated_at), ("sheets", sheets)]
    definitions = {k: v for k, v in cover.definitions.items() if k in shown}
    spreadsheets.cover(
        sheet,
        title=f"LabelOps {cover.report}",
        facts=facts,
        definitions=definitions,
        definition_header=("KPI", 'definition (README "KPI glossary")'),
    )


def sections_as_xlsx(sections: list[Section], *, cover: Cover) -> bytes:
    """A workbook of an "About" cover sheet, then a sheet per section: summary pairs on top, the item
    table below with typed cells under a styled header, frozen and filtered."""
    workbook, about = spreadsheets.new_workbook()
    used = {spreadsheets.COVER_TITLE.lower()}
    shown: set[str] = set()
    for section in sections or [Section("", cover.report, {}, [])]:
        columns = _columns(section.items)
        summary = _summary_lines(section)
        shown.update(columns, (key for key, _ in summary))
        sheet, header_at = spreadsheets.table_sheet(
            workbook,
            spreadsheets.sheet_title(section.title, used),
            columns,
            above=[[key, spreadsheets.typed_from_json(value)] for key, value in summary],
        )
        for item in section.items:
            sheet.append(spreadsheets.row(sheet, [_typed(c, item.get(c)) for c in columns]))
        spreadsheets.close_table(sheet, header_at=header_at, columns=len(columns), rows=len(section.items))
    _write_cover(about, cover, shown=shown, sheets=len(used) - 1)
    return spreadsheets.saved(workbook)


def rows_as_xlsx(rows: list[dict[str, Any]], *, title: str, cover: Cover) -> bytes:
    return sections_as_xlsx([Section("", title, {}, rows)], cover=cover)
