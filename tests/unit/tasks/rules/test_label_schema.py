"""Label schemas and the answers they allow."""

from __future__ import annotations

from services.tasks.rules.label_schema import answer_errors, schema_errors

CHOICES = {"type": "choices", "choices": ["a", "b"], "multiple": False}


def test_a_text_schema_with_a_huge_max_length_is_refused():
    assert schema_errors({"type": "text", "max_length": 10**9})[0]["pointer"] == "/label_schema/max_length"


def test_an_unknown_schema_type_is_refused():
    assert schema_errors({"type": "polygon"})[0]["pointer"] == "/label_schema/type"


def test_a_single_choice_answer_must_be_one_of_the_choices():
    assert answer_errors(CHOICES, "c") and not answer_errors(CHOICES, "a")


def test_a_multiple_choice_answer_is_a_list_of_distinct_choices():
    schema = CHOICES | {"multiple": True}
    assert answer_errors(schema, ["a", "a"]) and not answer_errors(schema, ["a", "b"])


def test_a_text_answer_is_bounded():
    assert answer_errors({"type": "text", "max_length": 3}, "abcd")
