"""Report composition and rendering: what ops staff open in Excel or Sheets is what the services reported."""

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from services.gateway.rules.reports import (
    Cover,
    Section,
    definitions_from,
    handover_from,
    kpis_from,
    merge_kpi_rows,
    rows_as_csv,
    rows_as_xlsx,
    sections_as_csv,
    sections_as_xlsx,
)

SECTIONS = [
    Section(
        "contributors",
        "Contributor queries",
        {"handled": 12, "open": 3, "escalated": 1},
        [{"id": 7, "priority": "P1", "status": "open"}, {"id": 9, "priority": "P3", "status": "waiting"}],
    ),
    Section(
        "contributors",
        "Shift notes: community leads",
        {},
        [{"author": "user:4", "note": "Discord outage 02:00", "owner": None}],
    ),
]


COVER = Cover(
    "shift handover",
    since=datetime(2026, 12, 7, 0, tzinfo=UTC),
    until=datetime(2026, 12, 7, 8, tzinfo=UTC),
    generated_at=datetime(2026, 12, 7, 8, 1, tzinfo=UTC),
    definitions={"open": "Tickets open at the end of the window.", "unused": "Not in this report."},
)


def _rows(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_handover_sections_follow_service_order_then_each_services_own_order():
    answers = {
        "tasks": {"sections": {"Projects at risk": {"summary": {"at_risk_tasks": 2}, "items": []}}},
        "contributors": {
            "sections": {
                "Contributor queries": {"summary": {"open": 1}, "items": [{"ticket_id": 3}]},
                "Shift notes": {"summary": {}, "items": []},
            }
        },
        "vendors": {"sections": {}},
    }

    sections = handover_from(answers)

    assert [(s.service, s.title) for s in sections] == [
        ("contributors", "Contributor queries"),
        ("contributors", "Shift notes"),
        ("tasks", "Projects at risk"),
    ]
    assert sections[0].items == [{"ticket_id": 3}] and sections[2].summary == {"at_risk_tasks": 2}


def test_xlsx_has_a_sheet_per_section_with_summary_then_table():
    workbook = load_workbook(io.BytesIO(sections_as_xlsx(SECTIONS, cover=COVER)))

    _about, first, second = workbook.worksheets
    rows = _rows(first)
    assert first.title == "Contributor queries"
    assert rows[:3] == [["handled", 12, None], ["open", 3, None], ["escalated", 1, None]]
    assert rows[4:] == [["id", "priority", "status"], [7, "P1", "open"], [9, "P3", "waiting"]]
    assert second.title == "Shift notes  community leads"
    assert [c.value for c in second[2]] == ["user:4", "Discord outage 02:00", None]


def test_xlsx_drops_the_control_characters_xml_cannot_hold_and_keeps_tabs_and_newlines():
    note = {"note": "call back\x0bafter\x00 the\tstand-up\nat 09:00", "owner": "lead\x1b"}

    sheet = load_workbook(
        io.BytesIO(sections_as_xlsx([Section("contributors", "Shift notes", {}, [note])], cover=COVER))
    )["Shift notes"]
    kpis = load_workbook(
        io.BytesIO(rows_as_xlsx([{"scope": "vendor\x07", "id": 1}], title="KPIs", cover=COVER))
    )["KPIs"]

    assert _rows(sheet)[1] == ["call backafter the\tstand-up\nat 09:00", "lead"]
    assert _rows(kpis)[1] == ["vendor", 1]


def test_xlsx_sheet_titles_stay_unique_and_short():
    long = [Section("tasks", "A" * 40, {}, []), Section("tasks", "A" * 40, {}, [])]

    titles = load_workbook(io.BytesIO(sections_as_xlsx(long, cover=COVER))).sheetnames

    assert len(set(titles)) == 3 and all(len(t) <= 31 for t in titles)


def test_text_that_looks_like_a_formula_stays_text_in_both_formats():
    hostile = [Section("contributors", "Shift notes", {}, [{"subject": '=HYPERLINK("http://x")'}])]

    sheet = load_workbook(io.BytesIO(sections_as_xlsx(hostile, cover=COVER)))["Shift notes"]
    rows = list(csv.reader(io.StringIO(sections_as_csv(hostile))))

    assert sheet["A2"].data_type == "s" and sheet["A2"].value == '=HYPERLINK("http://x")'
    assert rows[2] == ['\'=HYPERLINK("http://x")']


def test_csv_keeps_each_section_block_readable():
    rows = list(csv.reader(io.StringIO(sections_as_csv(SECTIONS))))

    assert rows[0] == ["Contributor queries"] and rows[1] == ["handled", "12"]
    assert ["id", "priority", "status"] in rows and ["7", "P1", "open"] in rows
    assert ["Shift notes: community leads"] in rows


def test_kpi_rows_from_several_services_merge_by_scope_and_id():
    tasks = {"rows": [{"scope": "project", "id": 1, "throughput_per_hour": 40.0, "gold_accuracy": 0.93}]}
    vendors = {
        "rows": [
            {"scope": "project", "id": 1, "spend": "0.41"},
            {"scope": "vendor", "id": 3, "spend": "2.00"},
        ]
    }

    merged = merge_kpi_rows([tasks, vendors])

    assert merged == [
        {"scope": "project", "id": 1, "throughput_per_hour": 40.0, "gold_accuracy": 0.93, "spend": "0.41"},
        {"scope": "vendor", "id": 3, "spend": "2.00"},
    ]


def test_kpis_combine_what_each_service_owns_into_one_row():
    answers = {
        "contributors": {"rows": [{"scope": "vendor", "id": 3, "exposure_minutes": 12.5}]},
        "vendors": {
            "rows": [
                {
                    "scope": "vendor",
                    "id": 3,
                    "spend": "4.00",
                    "currency": "USD",
                    "cost_per_accepted_label_contracted": "0.5000",
                }
            ]
        },
        "tasks": {"rows": [{"scope": "vendor", "id": 3, "accepted_labels": 8, "gold_accuracy": 0.75}]},
    }

    (row,) = kpis_from(answers)

    assert row == {
        "scope": "vendor",
        "id": 3,
        "exposure_minutes": 12.5,
        "spend": "4.00",
        "currency": "USD",
        "accepted_labels": 8,
        "gold_accuracy": 0.75,
        "cost_per_accepted_label_contracted": "0.5000",
    }


def test_kpi_csv_and_xlsx_have_a_header_with_every_column():
    rows = [{"scope": "vendor", "id": 3}, {"scope": "project", "id": 1, "x": 2}]

    parsed = list(csv.reader(io.StringIO(rows_as_csv(rows))))
    sheet = load_workbook(io.BytesIO(rows_as_xlsx(rows, title="KPIs", cover=COVER)))["KPIs"]

    assert parsed[0] == ["scope", "id", "x"] and parsed[1] == ["vendor", "3", ""]
    assert _rows(sheet) == [["scope", "id", "x"], ["vendor", 3, None], ["project", 1, 2]]


def test_kpi_xlsx_writes_money_and_units_as_numbers_and_csv_keeps_them_exact():
    rows = [
        {
            "scope": "vendor",
            "id": 3,
            "name": "007",
            "spend": "2.10",
            "cost_per_accepted_label_contracted": "0.5250",
        }
    ]

    parsed = list(csv.reader(io.StringIO(rows_as_csv(rows))))
    sheet = load_workbook(io.BytesIO(rows_as_xlsx(rows, title="KPIs", cover=COVER)))["KPIs"]

    assert parsed[1] == ["vendor", "3", "007", "2.10", "0.5250"]
    assert _rows(sheet)[1] == ["vendor", 3, "007", 2.1, 0.525]


def test_the_workbook_opens_on_a_cover_naming_the_report_its_window_and_the_kpis_it_shows():
    workbook = load_workbook(io.BytesIO(sections_as_xlsx(SECTIONS, cover=COVER)))

    about = workbook.worksheets[0]
    rows = _rows(about)
    facts = {r[0]: r[1] for r in rows[1:] if r[0]}
    assert about.title == "About" and rows[0][0] == "LabelOps shift handover"
    assert facts["report"] == "shift handover" and "UTC" in facts["window"]
    assert facts["since (UTC)"] == datetime(2026, 12, 7, 0) and facts["until (UTC)"] == datetime(
        2026, 12, 7, 8
    )
    assert facts["generated at (UTC)"] == datetime(2026, 12, 7, 8, 1)
    assert about["A1"].font.bold
    # Only the definitions of what the report shows ("open" is a summary line; "unused" is nowhere).
    assert facts["open"] == "Tickets open at the end of the window." and "unused" not in facts


def test_each_table_has_a_bold_header_frozen_below_it_with_filters():
    workbook = load_workbook(io.BytesIO(sections_as_xlsx(SECTIONS, cover=COVER)))

    queries, notes = workbook["Contributor queries"], workbook["Shift notes  community leads"]
    assert queries["A5"].value == "id" and queries["A5"].font.bold and queries["A5"].fill.fgColor.rgb
    assert (queries.freeze_panes, queries.auto_filter.ref) == ("A6", "A5:C7")
    assert (notes.freeze_panes, notes.auto_filter.ref) == ("A2", "A1:C2")


def test_timestamps_and_money_that_crossed_json_are_typed_cells():
    rows = [
        {"scope": "project", "id": 1, "at": "2026-12-07T08:30:00+01:00", "priced_units": "12", "note": "007"}
    ]

    sheet = load_workbook(io.BytesIO(rows_as_xlsx(rows, title="KPIs", cover=COVER)))["KPIs"]

    at, units, note = sheet["C2"], sheet["D2"], sheet["E2"]
    assert at.is_date and at.value == datetime(2026, 12, 7, 7, 30)
    assert (units.data_type, units.value) == ("n", 12)
    assert note.value == "007"


def test_definitions_come_from_every_service_in_service_order():
    answers = {
        "vendors": {"rows": [], "definitions": {"spend": "vendors' words"}},
        "tasks": {"rows": [], "definitions": {"gold_accuracy": "tasks' words"}},
        "contributors": {"rows": []},
    }

    assert list(definitions_from(answers).items()) == [
        ("spend", "vendors' words"),
        ("gold_accuracy", "tasks' words"),
    ]
