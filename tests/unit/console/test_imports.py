"""Which import format an uploaded file is (services/console/rules/imports.py)."""

from services.console.rules.imports import import_content_type


def test_the_files_name_says_how_the_api_reads_it():
    assert import_content_type("tasks.CSV") == "text/csv"
    assert import_content_type("export.json") == "application/json"
    assert import_content_type("rows.jsonl") == "application/jsonl"
    assert import_content_type("rows.ndjson") == "application/jsonl"


def test_a_file_the_api_cannot_import_is_named_as_such():
    assert import_content_type("tasks.xlsx") is None
    assert import_content_type(None) is None
