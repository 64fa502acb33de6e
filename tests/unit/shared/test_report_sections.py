"""A report section says when it could not hold every item: how many there are, and that it shows only
the first (issue #18: the handover was silently capped at 200)."""

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from services.gateway.rules.reports import Cover, Section, handover_from, sections_as_csv, sections_as_xlsx
from shared.reports import MAX_ITEMS
from shared.reports import Section as ServiceSection

COVER = Cover("shift handover", since=datetime(2026, 1, 1, tzinfo=UTC), until=datetime(2026, 1, 2, tzinfo=UTC),
              generated_at=datetime(2026, 1, 2, tzinfo=UTC))  # fmt: skip


def _items(n: int) -> list[dict]:
    return [{"ticket_id": i} for i in range(n)]


def test_a_section_over_the_cap_keeps_the_first_items_and_says_how_many_there_are():
    capped = ServiceSection.capped({"open": 250}, _items(250), total=250)
    whole = ServiceSection.capped({"open": 3}, _items(3), total=3)

    assert (len(capped.items), capped.total, capped.truncated) == (MAX_ITEMS, 250, True)
    assert (len(whole.items), whole.total, whole.truncated) == (3, 3, False)


def test_the_gateway_keeps_the_flag_and_the_spreadsheets_say_what_is_missing():
    answer = ServiceSection.capped({"open": 250}, _items(250), total=250).model_dump()
    [section] = handover_from({"contributors": {"sections": {"Contributor queries": answer}}})

    rows = list(csv.reader(io.StringIO(sections_as_csv([section]))))
    sheet = load_workbook(io.BytesIO(sections_as_xlsx([section], cover=COVER)))["Contributor queries"]

    assert (section.total, section.truncated) == (250, True)
    assert ["items shown", f"the first {MAX_ITEMS} of 250"] in rows
    assert [sheet.cell(2, 1).value, sheet.cell(2, 2).value] == [
        "items shown",
        f"the first {MAX_ITEMS} of 250",
    ]


def test_a_whole_section_adds_no_line():
    section = Section("contributors", "Contributor queries", {"open": 1}, _items(1), total=1)

    assert "items shown" not in sections_as_csv([section])
