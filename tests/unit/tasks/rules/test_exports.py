"""Final labels and the shapes of the exports: flat cells, Label Studio tasks and their config."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

from services.tasks.rules.exports import (
    RESULT_COLUMNS,
    FinalLabel,
    answer_cell,
    answer_from_ls_result,
    data_columns,
    final_label,
    flat_row,
    label_studio_config,
    ls_task,
)

CHOICES = {"type": "choices", "choices": ["cat", "dog"], "multiple": False}
MULTI = {"type": "choices", "choices": ["cat", "dog", "fox"], "multiple": True}
TEXT = {"type": "text", "max_length": 100}


def _final(**given):
    args = {"is_gold": False, "gold_answer": None, "correction": None, "aggregate": None, "answers": []}
    return final_label(**{**args, **given})


def test_a_review_correction_wins_over_the_answers_and_the_aggregate():
    aggregate = {"label": "cat", "method": "dawid_skene", "confidence": 0.9}

    final = _final(correction="dog", aggregate=aggregate, answers=["cat", "cat"])

    assert final == FinalLabel("dog", "review", 1.0)


def test_a_gold_tasks_final_label_is_its_gold_answer():
    assert _final(is_gold=True, gold_answer="cat", correction="dog") == FinalLabel("cat", "gold", 1.0)


def test_the_stored_aggregate_is_delivered_with_its_method_and_confidence():
    aggregate = {"label": "dog", "method": "dawid_skene", "confidence": 0.93}

    assert _final(aggregate=aggregate, answers=["cat", "dog"]) == FinalLabel("dog", "dawid_skene", 0.93)


def test_without_an_aggregate_the_majority_is_delivered_with_its_share_of_votes():
    assert _final(answers=["dog", "cat", "dog"]) == FinalLabel("dog", "majority", 2 / 3)


def test_a_tie_delivers_no_label():
    assert _final(answers=["dog", "cat"]) == FinalLabel(None, "majority", None)


def test_several_choices_are_one_plain_cell():
    assert (answer_cell(["cat", "fox"]), answer_cell("cat"), answer_cell(None)) == ("cat|fox", "cat", None)


def test_a_data_key_named_like_a_result_column_is_prefixed():
    assert data_columns(["text", "task_id"]) == {"task_id": "data.task_id", "text": "text"}


def _row(**overrides):
    row = {
        "task_id": 7,
        "external_id": "41",
        "batch_id": 1,
        "locale": "en-GB",
        "data": {"text": "a cat", "meta": {"k": 1}},
        "is_gold": False,
        "gold_answer": None,
        "completed": True,
        "answers": [{"contributor_id": 3, "answer": "cat", "time_spent_seconds": 4}],
        "prelabels": [{"source": "prediction", "model_version": "m1", "score": 0.5, "answer": "dog"}],
        "final": FinalLabel("cat", "majority", 1.0),
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "completed_at": None,
    }
    return {**row, **overrides}


def test_a_flat_row_has_plain_answers_and_one_cell_per_data_key():
    columns = data_columns(["meta", "text"])

    cells = dict(zip([*RESULT_COLUMNS, *columns.values()], flat_row(_row(), columns), strict=True))

    assert (cells["final_answer"], cells["final_source"], cells["locale"]) == ("cat", "majority", "en-GB")
    assert (cells["meta"], cells["text"]) == ('{"k":1}', "a cat")


def _config(schema, data):
    return ElementTree.fromstring(label_studio_config(schema, data))


def test_a_choices_schema_becomes_a_choices_control_on_the_text():
    view = _config(CHOICES, {"text": "a cat", "n": 1})

    control = view.find("Choices")
    assert (control.get("name"), control.get("toName"), control.get("choice")) == ("label", "text", "single")
    assert [c.get("value") for c in control.findall("Choice")] == ["cat", "dog"]
    assert {t.get("name") for t in view.findall("Text")} == {"n", "text"}


def test_a_text_schema_becomes_a_textarea_on_an_image():
    view = _config(TEXT, {"image": "https://x/1.png"})

    area = view.find("TextArea")
    assert (area.get("toName"), view.find("Image").get("value")) == ("image", "$image")


def test_a_label_studio_task_names_the_configs_control_and_object_in_every_result():
    task = ls_task(_row(), schema=CHOICES, to_name="text")

    results = [r for a in task["annotations"] + task["predictions"] for r in a["result"]]
    assert {(r["from_name"], r["to_name"], r["type"]) for r in results} == {("label", "text", "choices")}
    assert (task["id"], task["meta"]["labelops_task_id"], task["meta"]["final_source"]) == (41, 7, "majority")


def test_a_correction_is_a_ground_truth_annotation_and_gold_is_flagged():
    task = ls_task(_row(is_gold=True, final=FinalLabel("dog", "review", 1.0)), schema=CHOICES, to_name="text")

    truth = [a for a in task["annotations"] if a["ground_truth"]]
    assert truth[0]["result"][0]["value"] == {"choices": ["dog"]}
    assert task["meta"]["is_gold"] is True


def test_a_label_studio_result_reads_back_as_the_answer():
    multi = [{"type": "choices", "value": {"choices": ["cat", "fox"]}}]
    text = [{"type": "textarea", "value": {"text": ["a", "b"]}}]

    assert answer_from_ls_result(MULTI, multi) == ["cat", "fox"]
    assert answer_from_ls_result(TEXT, text) == "a\nb"
