"""Reading task imports: headers, row errors."""

from __future__ import annotations

import orjson
import pytest

from services.tasks.rules.importing import CSV_CONTROL_COLUMNS, ROW_KEYS, UnreadableImport, parse_import
from services.tasks.schemas.tasks import TaskRow


def test_a_csv_import_needs_a_header():
    with pytest.raises(UnreadableImport):
        parse_import(b"", "text/csv")


def test_a_bad_priority_is_a_row_error():
    parsed = parse_import(b'[{"data": {"x": 1}, "priority": "high"}]', "application/json")
    assert (len(parsed.tasks), parsed.errors[0]["row"]) == (0, 1)


def test_a_naive_due_date_is_a_row_error():
    parsed = parse_import(b'[{"data": {"x": 1}, "due_at": "2030-01-01T00:00:00"}]', "application/json")
    assert parsed.rejected == 1


CHOICES_0_4 = {"type": "choices", "choices": ["0", "1", "2", "3", "4"], "multiple": False}
CATS = {"type": "choices", "choices": ["cat", "dog"], "multiple": False}


def _ls_result(choice):
    return [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}]


def test_a_csv_gold_answer_is_coerced_to_the_schemas_choice():
    parsed = parse_import(b"text,gold_answer\nhello,2\n", "text/csv", label_schema=CHOICES_0_4)

    assert (parsed.tasks[0].gold_answer, parsed.errors) == ("2", [])


def test_a_json_number_gold_answer_is_coerced_to_the_schemas_choice():
    parsed = parse_import(
        b'[{"data": {"x": 1}, "gold_answer": 3}]', "application/json", label_schema=CHOICES_0_4
    )

    assert parsed.tasks[0].gold_answer == "3"


def test_csv_errors_carry_the_files_own_line_numbers():
    body = b'text,gold_answer\nok,1\n"two\nlines",9\nfine,2\nbad,7\n'

    parsed = parse_import(body, "text/csv", label_schema=CHOICES_0_4)

    assert [e["row"] for e in parsed.errors] == [3, 6]
    assert [t.row for t in parsed.tasks] == [2, 5]


def test_gold_errors_after_good_rows_keep_their_own_row_numbers():
    rows = [{"data": {"n": n}, "gold_answer": "1" if n % 2 else "9"} for n in range(1, 7)]

    parsed = parse_import(orjson.dumps(rows), "application/json", label_schema=CHOICES_0_4)

    assert [e["row"] for e in parsed.errors] == [2, 4, 6]


def test_a_label_studio_id_becomes_the_external_id():
    parsed = parse_import(b'[{"id": 41, "data": {"x": 1}}]', "application/json", label_schema=CATS)

    assert parsed.tasks[0].external_id == "41"


def test_annotations_become_gold_when_the_caller_says_so():
    row = {"data": {"x": 1}, "annotations": [{"result": _ls_result("dog")}]}

    parsed = parse_import(orjson.dumps([row]), "application/json", label_schema=CATS, annotations_as="gold")

    assert (parsed.tasks[0].gold_answer, parsed.tasks[0].prelabels) == ("dog", [])


def test_annotations_and_predictions_become_prelabels_by_default():
    row = {
        "data": {"x": 1},
        "annotations": [{"result": _ls_result("dog")}],
        "predictions": [{"model_version": "m1", "score": 0.7, "result": _ls_result("cat")}],
    }

    parsed = parse_import(orjson.dumps([row]), "application/json", label_schema=CATS)

    assert parsed.tasks[0].gold_answer is None
    assert parsed.tasks[0].prelabels == [
        {"source": "annotation", "answer": "dog"},
        {"source": "prediction", "answer": "cat", "model_version": "m1", "score": 0.7},
    ]


def test_an_annotation_outside_the_schema_is_a_row_error():
    row = {"data": {"x": 1}, "annotations": [{"result": _ls_result("horse")}]}

    parsed = parse_import(orjson.dumps([row]), "application/json", label_schema=CATS)

    assert parsed.errors[0]["row"] == 1 and "annotations[0]" in parsed.errors[0]["detail"]


def test_unknown_keys_are_warnings_counted_once_per_key():
    rows = [{"data": {"x": 1}, "colour": "red"}, {"data": {"x": 2}, "colour": "blue", "inner_id": 2}]

    parsed = parse_import(orjson.dumps(rows), "application/json", label_schema=CATS)

    assert parsed.warnings == [
        {"key": "colour", "rows": 2, "first_row": 1, "detail": "not a task field: ignored"},
        {"key": "inner_id", "rows": 1, "first_row": 2, "detail": "not a task field: ignored"},
    ]


def test_skipped_and_empty_annotations_are_passed_over():
    row = {
        "data": {"x": 1},
        "annotations": [{"result": [], "was_cancelled": True}, {"result": []}, {"result": _ls_result("cat")}],
    }

    parsed = parse_import(orjson.dumps([row]), "application/json", label_schema=CATS, annotations_as="gold")

    assert (parsed.tasks[0].gold_answer, parsed.errors) == ("cat", [])


LOCALES = ("en-US", "ja-JP")


def test_a_task_locale_is_kept_as_the_project_spells_it():
    rows = [{"data": {"t": "a"}, "locale": "EN-us"}, {"data": {"t": "b"}, "locale": "ja-JP"}]

    parsed = parse_import(orjson.dumps(rows), "application/json", locales=LOCALES)

    assert [t.locale for t in parsed.tasks] == ["en-US", "ja-JP"]


def test_a_csv_locale_column_is_the_tasks_locale_not_a_data_key():
    parsed = parse_import(b"text,locale\nhello,en-US\n", "text/csv", locales=LOCALES)

    assert (parsed.tasks[0].data, parsed.tasks[0].locale) == ({"text": "hello"}, "en-US")


@pytest.mark.parametrize(
    ("row", "locales", "detail"),
    [
        ({"data": {"t": 1}}, LOCALES, "locale is required: one of en-US, ja-JP"),
        (
            {"data": {"t": 1}, "locale": "de-DE"},
            LOCALES,
            "locale de-DE is not one of the project's: en-US, ja-JP",
        ),
        ({"data": {"t": 1}, "locale": "en_US"}, LOCALES, "locale: language tag subtags are separated by '-'"),
        ({"data": {"t": 1}, "locale": "en-US"}, (), "the project accepts no locales"),
    ],
)
def test_a_locale_the_project_does_not_accept_is_a_row_error(row, locales, detail):
    parsed = parse_import(
        orjson.dumps([{"data": {"t": 0}, "locale": "en-US"} if locales else {"data": {"t": 0}}, row]),
        "application/json",
        locales=locales,
    )

    assert parsed.errors[0]["row"] == 2 and parsed.errors[0]["detail"].startswith(detail)
    assert len(parsed.tasks) == 1


def test_a_project_with_one_locale_gives_it_to_tasks_that_name_none():
    parsed = parse_import(orjson.dumps([{"data": {"t": 1}}]), "application/json", locales=("de-CH",))

    assert parsed.tasks[0].locale == "de-CH"


def test_the_documented_task_row_has_the_keys_the_import_reads():
    assert set(TaskRow.model_fields) == ROW_KEYS
    assert CSV_CONTROL_COLUMNS < ROW_KEYS
