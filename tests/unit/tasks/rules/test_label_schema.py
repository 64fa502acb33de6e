"""Label schemas and the answers they allow."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from services.tasks.rules.label_schema import answer_errors, schema_errors
from services.tasks.schemas.projects import LabelSchema

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


# The documented models (schemas/projects.py LabelSchema) and the rules give the same verdict.
SCHEMAS = [
    {"type": "choices", "choices": ["cat", "dog"]},
    {"type": "choices", "choices": ["cat"], "multiple": True},
    {"type": "choices", "choices": []},
    {"type": "choices", "choices": ["cat", "cat"]},
    {"type": "choices", "choices": ["cat", ""]},
    {"type": "choices", "choices": ["x" * 201]},
    {"type": "choices", "choices": [1, 2]},
    {"type": "choices", "choices": ["a"], "multiple": 1},
    {"type": "choices", "choices": ["a"], "extra": True},
    {"type": "choices"},
    {"type": "text"},
    {"type": "text", "max_length": 100_000},
    {"type": "text", "max_length": 0},
    {"type": "text", "max_length": 100_001},
    {"type": "text", "max_length": True},
    {"type": "text", "max_length": 5.0},
    {"type": "text", "choices": ["a"]},
    {"type": "image"},
    {},
]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_the_documented_label_schema_accepts_what_the_rules_accept(schema):
    try:
        TypeAdapter(LabelSchema).validate_python(schema)
        documented = True
    except ValidationError:
        documented = False

    assert documented is (schema_errors(schema) == [])
