"""Operations reports composed by the gateway from every service's report sections.

Each service answers `GET /internal/reports/<name>` with `{"sections": {title: {"summary": {…},
"items": [{…}, …]}}}` (handover) or `{"rows": [{"scope", "id", <figures>…}]}` (KPIs); the gateway asks
all of them at once and renders the whole as JSON, CSV or an XLSX workbook (a sheet per section).
"""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

from shared.errors import ServiceUnavailable
from shared.http import ServiceClient
from shared.settings import SERVICE_NAMES

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Section:
    title: str
    summary: dict[str, Any]
    items: list[dict[str, Any]]


async def _ask_all(services: ServiceClient, path: str, params: dict[str, str]) -> dict[str, dict[str, Any]]:
    async def ask(name: str) -> tuple[str, dict[str, Any]]:
        response = await services.request(name, "GET", path, params=params)
        if response.status_code != 200:
            raise ServiceUnavailable(f"the {name} service could not build its report section", service=name)
        return name, response.json()

    return dict(await asyncio.gather(*(ask(name) for name in SERVICE_NAMES)))


async def handover_sections(services: ServiceClient, *, since: str, until: str) -> list[Section]:
    """Every service's handover sections for the shift [since, until), in service order."""
    answers = await _ask_all(services, "/internal/reports/handover", {"since": since, "until": until})
    return [
        Section(title, body.get("summary", {}), body.get("items", []))
        for name in SERVICE_NAMES
        for title, body in answers[name].get("sections", {}).items()
    ]


async def kpi_rows(services: ServiceClient, *, since: str, until: str) -> list[dict[str, Any]]:
    """One row per project and per vendor, each service filling in the figures it owns."""
    answers = await _ask_all(services, "/internal/reports/kpis", {"since": since, "until": until})
    return merge_kpi_rows([answers[name] for name in SERVICE_NAMES])


def merge_kpi_rows(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for the same (scope, id) from several services become one row with all their figures."""
    merged: dict[tuple[str, Any], dict[str, Any]] = {}
    for answer in answers:
        for row in answer.get("rows", []):
            key = (row["scope"], row["id"])
            merged.setdefault(key, {"scope": row["scope"], "id": row["id"]}).update(row)
    return sorted(merged.values(), key=lambda r: (r["scope"], str(r["id"])))


def _columns(items: list[dict[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for item in items:
        columns.update(dict.fromkeys(item))
    return list(columns)


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def sections_as_csv(sections: list[Section]) -> str:
    """One CSV: a block per section (its title, summary lines, then its item table)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for section in sections:
        writer.writerow([section.title])
        for key, value in section.summary.items():
            writer.writerow([key, _cell(value)])
        columns = _columns(section.items)
        if columns:
            writer.writerow(columns)
            writer.writerows([[_cell(item.get(c)) for c in columns] for item in section.items])
        writer.writerow([])
    return out.getvalue()


def rows_as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    columns = _columns(rows)
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([[_cell(row.get(c)) for c in columns] for row in rows])
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


def sections_as_xlsx(sections: list[Section]) -> bytes:
    """A workbook with a sheet per section: summary pairs on top, the item table below."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for section in sections or [Section("Handover", {}, [])]:
        sheet = workbook.create_sheet(_sheet_title(section.title, used))
        for key, value in section.summary.items():
            sheet.append([key, _cell(value)])
        columns = _columns(section.items)
        if columns:
            if section.summary:
                sheet.append([])
            sheet.append(columns)
            for item in section.items:
                sheet.append([_cell(item.get(c)) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_as_xlsx(rows: list[dict[str, Any]], *, title: str) -> bytes:
    columns = _columns(rows)
    return sections_as_xlsx([Section(title, {}, [{c: row.get(c) for c in columns} for row in rows])])
