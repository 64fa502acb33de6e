"""Spreadsheet files every service writes alike: typed cells, a styled header row frozen with filters, an
"About" cover sheet naming what the file holds (its window and its definitions), and CSV cells that a
spreadsheet cannot run as formulas.

Every workbook here is openpyxl's write-only kind: rows go to temporary files as they are appended and
the saved workbook is streamed from disk (`spooled`), so a million-row export keeps memory flat. In that
mode a sheet is written in order: a cover sheet is created first and filled last (`cover`), and a table's
filter range is set when its last row is known (`close_table`).
"""

from __future__ import annotations

import asyncio
import io
import re
import tempfile
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
COVER_TITLE = "About"
SPOOL_CHUNK = 256 * 1024

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="305496")
_TITLE_FONT = Font(bold=True, size=14)

# What JSON carries as text but a spreadsheet should hold as a date or a number (an API answer's
# timestamps, and money as exact decimal strings). Only a decimal point makes text a number: "007" or a
# long external id stays the text it is.
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DECIMAL = re.compile(r"-?(0|[1-9]\d{0,14})\.\d{1,15}")


def utc_naive(value: datetime) -> datetime:
    """Spreadsheets have no time zones: times are written as naive UTC (headers and covers say so)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def typed_from_json(value: Any) -> Any:
    """A value that crossed JSON, as the cell it stands for: ISO timestamps (UTC) and dates as dates,
    decimal strings as exact numbers; anything else unchanged."""
    if not isinstance(value, str) or len(value) > 40:
        return value
    try:
        if _TIMESTAMP.fullmatch(value):
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        return value
    if _DECIMAL.fullmatch(value):
        return Decimal(value)
    return value


def _text_kind(value: str) -> type | None:
    """The type a JSON text value stands for (datetime, date, Decimal), or None for plain text."""
    typed = typed_from_json(value)
    return None if isinstance(typed, str) else type(typed)


@dataclass
class ColumnTypes:
    """Which columns of a table of JSON rows hold, in every text cell, times, dates or decimals alike: only
    those are typed. A column whose texts are mixed ("1.5" in one row, words in the next: a subject, a
    note) stays text throughout, so a free-text answer that looks like a number keeps its spelling and a
    column never mixes numbers with text (which a spreadsheet neither sums nor sorts)."""

    kinds: dict[str, type | None] = field(default_factory=dict)

    def observe(self, row: Mapping[str, Any]) -> None:
        for column, value in row.items():
            if not isinstance(value, str) or (column in self.kinds and self.kinds[column] is None):
                continue  # not text (typed as it is), or a column already known to hold plain text
            kind = _text_kind(value)
            if column not in self.kinds:
                self.kinds[column] = kind
            elif self.kinds[column] is not kind:
                self.kinds[column] = None

    def cell_value(self, column: str, value: Any) -> Any:
        """`value` as its column holds it: typed when the column is, as it came otherwise."""
        return typed_from_json(value) if self.kinds.get(column) is not None else value


def xlsx_value(value: Any) -> Any:
    """A Python value as openpyxl can store it: numbers, booleans and times typed, nested values as
    compact JSON text, and text without the control characters XML 1.0 cannot hold (a vertical tab
    pasted into a note would make openpyxl refuse the whole file)."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return utc_naive(value)
    if isinstance(value, date):
        return value
    if isinstance(value, dict | list):
        value = orjson.dumps(value).decode()
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def cell(sheet: Any, value: Any) -> Any:
    """A typed value, or a cell where the value needs a format (times, dates) or must stay text."""
    value = xlsx_value(value)
    if isinstance(value, datetime | date):
        written = WriteOnlyCell(sheet, value=value)
        written.number_format = TIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
        return written
    if isinstance(value, str) and value.startswith("="):
        # openpyxl stores text starting with "=" as a formula; free text must stay text.
        written = WriteOnlyCell(sheet, value=value)
        written.data_type = "s"
        return written
    return value


def row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    return [cell(sheet, v) for v in values]


def header_row(sheet: Any, names: Iterable[str]) -> list[Any]:
    """Column names as bold white text on blue, the look of every LabelOps table header."""
    cells = []
    for name in names:
        written = WriteOnlyCell(sheet, value=xlsx_value(name))
        written.font, written.fill = _HEADER_FONT, _HEADER_FILL
        written.alignment = Alignment(vertical="center")
        cells.append(written)
    return cells


def sheet_title(title: str, used: set[str]) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate.lower() in used:
        candidate = f"{clean[:28]} {n}"
        n += 1
    used.add(candidate.lower())
    return candidate


def table_sheet(
    workbook: Workbook, title: str, header: list[str], *, above: Iterable[Iterable[Any]] = ()
) -> tuple[Any, int]:
    """A sheet whose table starts with a styled header, frozen below it (with any `above` lines, such as
    a section's summary, then a blank line on top); returns the sheet and the header's row number."""
    sheet = workbook.create_sheet(title)
    lines = [list(line) for line in above]
    header_at = len(lines) + (2 if lines else 1)
    if header:
        sheet.freeze_panes = f"A{header_at + 1}"
    for index, name in enumerate(header):
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(12, min(40, len(str(name)) + 4))
    for line in lines:
        sheet.append(row(sheet, line))
    if lines:
        sheet.append([])
    if header:
        sheet.append(header_row(sheet, header))
    return sheet, header_at


def close_table(sheet: Any, *, header_at: int, columns: int, rows: int) -> None:
    """Filters over the table's header and its `rows` rows (set last: a write-only sheet learns its size)."""
    if columns:
        sheet.auto_filter.ref = f"A{header_at}:{get_column_letter(columns)}{header_at + rows}"


def cover(
    sheet: Any,
    *,
    title: str,
    facts: Iterable[tuple[str, Any]],
    definitions: Mapping[str, str] | None = None,
    definition_header: tuple[str, str] = ("column", "definition"),
) -> None:
    """The cover sheet: a title, the facts that make the file reproducible (what, the window, when it was
    made, how many rows), then a table defining each column or KPI the file shows."""
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 100
    heading = WriteOnlyCell(sheet, value=xlsx_value(title))
    heading.font = _TITLE_FONT
    sheet.append([heading])
    for name, value in facts:
        sheet.append(row(sheet, [name, value]))
    if definitions:
        sheet.append([])
        sheet.append(header_row(sheet, definition_header))
        for name, words in definitions.items():
            sheet.append(row(sheet, [name, words]))


def new_workbook() -> tuple[Workbook, Any]:
    """A write-only workbook and its cover sheet, first in the workbook and filled once the rest is known."""
    workbook = Workbook(write_only=True)
    return workbook, workbook.create_sheet(COVER_TITLE)


async def spooled(workbook: Workbook) -> AsyncIterator[bytes]:
    """The saved workbook's bytes, from a temporary file: zipping a large workbook takes seconds, so it
    runs off the event loop and other requests keep being served."""
    with tempfile.TemporaryFile() as spool:
        await asyncio.to_thread(workbook.save, spool)
        spool.seek(0)
        while chunk := spool.read(SPOOL_CHUNK):
            yield chunk


def saved(workbook: Workbook) -> bytes:
    """A small workbook (a report) as one body."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(value: Any) -> Any:
    """A CSV cell: text a spreadsheet would run as a formula (= + - @, tab, CR) is written as text (OWASP
    CSV injection), as free text from tickets and notes is; other values as they are."""
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
