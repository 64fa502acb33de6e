"""Reading task imports: headers, row errors."""

from __future__ import annotations

import pytest

from services.tasks.rules.importing import UnreadableImport, parse_import


def test_a_csv_import_needs_a_header():
    with pytest.raises(UnreadableImport):
        parse_import(b"", "text/csv")


def test_a_bad_priority_is_a_row_error():
    parsed = parse_import(b'[{"data": {"x": 1}, "priority": "high"}]', "application/json")
    assert (len(parsed.tasks), parsed.errors[0]["row"]) == (0, 1)


def test_a_naive_due_date_is_a_row_error():
    parsed = parse_import(b'[{"data": {"x": 1}, "due_at": "2030-01-01T00:00:00"}]', "application/json")
    assert parsed.rejected == 1
