"""Label schemas and the answers they accept."""

from __future__ import annotations

from typing import Any

import orjson

SCHEMA_TYPES = ("choices", "text")


def schema_errors(schema: Any) -> list[dict[str, str]]:
    """Problems with a project's label schema, each naming the field; empty when the schema is valid."""
    if not isinstance(schema, dict):
        return [_err("/label_schema", "label_schema must be an object")]
    kind = schema.get("type")
    if kind == "choices":
        choices = schema.get("choices")
        allowed_keys = {"type", "choices", "multiple"}
        errors = [_err(f"/label_schema/{k}", "unknown key") for k in schema if k not in allowed_keys]
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, str) and 0 < len(c) <= 200 for c in choices)
        ):
            errors.append(_err("/label_schema/choices", "choices must be a non-empty list of strings"))
        elif len(set(choices)) != len(choices):
            errors.append(_err("/label_schema/choices", "choices must be distinct"))
        if not isinstance(schema.get("multiple", False), bool):
            errors.append(_err("/label_schema/multiple", "multiple must be a boolean"))
        return errors
    if kind == "text":
        errors = [
            _err(f"/label_schema/{k}", "unknown key") for k in schema if k not in {"type", "max_length"}
        ]
        max_length = schema.get("max_length", 10_000)
        if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= 100_000:
            errors.append(_err("/label_schema/max_length", "max_length must be an integer in 1..100000"))
        return errors
    return [_err("/label_schema/type", f"type must be one of: {', '.join(SCHEMA_TYPES)}")]


def answer_errors(schema: dict[str, Any], answer: Any, *, pointer: str = "/answer") -> list[dict[str, str]]:
    """Why `answer` does not fit `schema` (a choice, a list of choices, or a bounded text)."""
    if schema["type"] == "choices":
        choices = schema["choices"]
        if schema.get("multiple", False):
            if not isinstance(answer, list) or not answer or not all(isinstance(a, str) for a in answer):
                return [_err(pointer, "answer must be a non-empty list of choices")]
            unknown = [a for a in answer if a not in choices]
            if unknown or len(set(answer)) != len(answer):
                return [_err(pointer, f"answer must use distinct choices among {choices}")]
            return []
        if not isinstance(answer, str) or answer not in choices:
            return [_err(pointer, f"answer must be one of {choices}")]
        return []
    max_length = schema.get("max_length", 10_000)
    if not isinstance(answer, str) or len(answer) > max_length:
        return [_err(pointer, f"answer must be a string of at most {max_length} characters")]
    return []


def coerce_answer(schema: dict[str, Any], value: Any) -> Any:
    """An imported answer in the schema's type when it plainly means one: a number whose text is a
    choice (a CSV `2` against choices "0".."4"), a JSON list or `a|b` text for multiple choices, a number
    for a text answer. Anything else is returned as given, for `answer_errors` to judge."""
    if schema.get("type") == "text":
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
    choices = schema.get("choices") or []

    def one(v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
            return text if text in choices else v
        if isinstance(v, str) and v not in choices and v.strip() in choices:
            return v.strip()
        return v

    if not schema.get("multiple", False):
        return one(value)
    if isinstance(value, str):
        if value.startswith("["):
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError:
                return value
        elif value in choices:
            return [value]
        else:
            value = value.split("|")
    if isinstance(value, list):
        return [one(v) for v in value]
    return [one(value)] if one(value) in choices else value


def comparable(answer: Any) -> Any:
    """A hashable, orderable form of an answer (multiple choices compare as a sorted tuple)."""
    if isinstance(answer, list):
        return tuple(sorted(answer))
    return answer


def _err(pointer: str, detail: str) -> dict[str, str]:
    return {"pointer": pointer, "field": pointer.strip("/").replace("/", "."), "in": "body", "detail": detail}
