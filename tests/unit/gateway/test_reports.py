"""Report rendering: what ops staff open in Excel or Sheets is what the services reported."""

import csv
import io

from openpyxl import load_workbook

from services.gateway.reports import Section, merge_kpi_rows, rows_as_csv, sections_as_csv, sections_as_xlsx

SECTIONS = [
    Section(
        "Contributor queries",
        {"handled": 12, "open": 3, "escalated": 1},
        [{"id": 7, "priority": "P1", "status": "open"}, {"id": 9, "priority": "P3", "status": "waiting"}],
    ),
    Section(
        "Shift notes: community leads",
        {},
        [{"author": "user:4", "note": "Discord outage 02:00", "owner": None}],
    ),
]


def test_xlsx_has_a_sheet_per_section_with_summary_then_table():
    workbook = load_workbook(io.BytesIO(sections_as_xlsx(SECTIONS)))

    first, second = workbook.worksheets
    rows = [[c.value for c in row] for row in first.iter_rows()]
    assert first.title == "Contributor queries"
    assert rows[:3] == [["handled", 12, None], ["open", 3, None], ["escalated", 1, None]]
    assert rows[4:] == [["id", "priority", "status"], [7, "P1", "open"], [9, "P3", "waiting"]]
    assert second.title == "Shift notes  community leads"
    assert [c.value for c in second[2]] == ["user:4", "Discord outage 02:00", None]


def test_xlsx_sheet_titles_stay_unique_and_short():
    long = [Section("A" * 40, {}, []), Section("A" * 40, {}, [])]

    titles = load_workbook(io.BytesIO(sections_as_xlsx(long))).sheetnames

    assert len(set(titles)) == 2 and all(len(t) <= 31 for t in titles)


def test_csv_keeps_each_section_block_readable():
    rows = list(csv.reader(io.StringIO(sections_as_csv(SECTIONS))))

    assert rows[0] == ["Contributor queries"] and rows[1] == ["handled", "12"]
    assert ["id", "priority", "status"] in rows and ["7", "P1", "open"] in rows
    assert ["Shift notes: community leads"] in rows


def test_kpi_rows_from_several_services_merge_by_scope_and_id():
    tasks = {"rows": [{"scope": "project", "id": 1, "throughput_per_hour": 40.0, "gold_accuracy": 0.93}]}
    vendors = {
        "rows": [
            {"scope": "project", "id": 1, "cost_per_accepted_label": "0.41"},
            {"scope": "vendor", "id": 3, "sla_attainment": 0.97},
        ]
    }

    merged = merge_kpi_rows([tasks, vendors])

    assert merged == [
        {
            "scope": "project",
            "id": 1,
            "throughput_per_hour": 40.0,
            "gold_accuracy": 0.93,
            "cost_per_accepted_label": "0.41",
        },
        {"scope": "vendor", "id": 3, "sla_attainment": 0.97},
    ]


def test_kpi_csv_has_a_header_with_every_column():
    rows = list(
        csv.reader(
            io.StringIO(rows_as_csv([{"scope": "vendor", "id": 3}, {"scope": "project", "id": 1, "x": 2}]))
        )
    )

    assert rows[0] == ["scope", "id", "x"] and rows[1] == ["vendor", "3", ""]
