"""The spreadsheet kit every service writes with: typed cells, text that stays text, a cover sheet."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from shared import spreadsheets


def test_spreadsheet_times_are_naive_utc():
    local = datetime(2026, 1, 1, 12, tzinfo=UTC).astimezone()

    assert spreadsheets.utc_naive(local) == datetime(2026, 1, 1, 12)


def test_what_crossed_json_as_text_becomes_a_date_or_an_exact_number():
    typed = spreadsheets.typed_from_json

    assert typed("2026-12-07T08:30:00+01:00") == datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
    assert typed("2026-12-07T08:30:00Z") == datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    assert typed("2026-12-07") == date(2026, 12, 7)
    assert typed("12.50") == Decimal("12.50") and typed("-0.5000") == Decimal("-0.5000")


def test_ids_codes_and_free_text_stay_text():
    typed = spreadsheets.typed_from_json

    assert [typed(v) for v in ("007", "12", "1.2.3", "2026-13-45", "call at 2026-12-07", "")] == [
        "007", "12", "1.2.3", "2026-13-45", "call at 2026-12-07", ""
    ]  # fmt: skip
    assert typed("12345678901234567.5") == "12345678901234567.5"  # more digits than a spreadsheet keeps


def test_a_column_is_typed_only_when_every_text_in_it_is_of_one_kind():
    types = spreadsheets.ColumnTypes()
    rows = [
        {"amount": "12.50", "subject": "1.5", "at": "2026-12-07T08:30:00Z", "day": "2026-12-07", "n": 3},
        {"amount": "0.75", "subject": "Payout missing", "at": "2026-12-07", "day": None, "n": 4},
    ]
    for row in rows:
        types.observe(row)

    typed = [{column: types.cell_value(column, value) for column, value in row.items()} for row in rows]

    # Money typed; a subject that once looks like a number keeps its spelling, as every subject does; a
    # column mixing times with dates stays text; nulls and JSON numbers are what they are.
    assert typed[0] == {"amount": Decimal("12.50"), "subject": "1.5", "at": "2026-12-07T08:30:00Z",
                        "day": date(2026, 12, 7), "n": 3}  # fmt: skip
    assert typed[1] == {"amount": Decimal("0.75"), "subject": "Payout missing", "at": "2026-12-07",
                        "day": None, "n": 4}  # fmt: skip


def test_csv_text_that_would_run_as_a_formula_is_quoted_but_numbers_are_not():
    assert [spreadsheets.csv_text(v) for v in ("=1+1", "@SUM(A1)", "-12.50", "+3", "plain", 4)] == [
        "'=1+1", "'@SUM(A1)", "-12.50", "+3", "plain", 4
    ]  # fmt: skip


def test_a_table_sheet_and_its_cover():
    workbook, about = spreadsheets.new_workbook()
    sheet, header_at = spreadsheets.table_sheet(workbook, "Rows", ["n", "when"], above=[["total", 2]])
    sheet.append(spreadsheets.row(sheet, [1, datetime(2026, 1, 1, tzinfo=UTC)]))
    sheet.append(spreadsheets.row(sheet, [Decimal("2.5"), "=text"]))
    spreadsheets.close_table(sheet, header_at=header_at, columns=2, rows=2)
    spreadsheets.cover(about, title="A file", facts=[("rows", 2)], definitions={"n": "a number"})

    loaded = load_workbook(io.BytesIO(spreadsheets.saved(workbook)))

    rows = loaded["Rows"]
    assert loaded.sheetnames == ["About", "Rows"] and header_at == 3
    assert (rows.freeze_panes, rows.auto_filter.ref, rows["A3"].font.bold) == ("A4", "A3:B5", True)
    assert rows["B4"].is_date and (rows["A5"].value, rows["B5"].data_type) == (2.5, "s")
    cover = [[c.value for c in r] for r in loaded["About"].iter_rows()]
    assert cover[0][0] == "A file" and ["rows", 2] in cover and ["n", "a number"] in cover
