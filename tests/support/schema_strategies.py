"""Hypothesis strategies for the JSON Schema that pydantic writes for our models (the subset we use).

hypothesis-jsonschema would be the general tool, but its last release (0.23.1) breaks on the
Hypothesis that schemathesis pins. A construct not covered here raises, so a schema that grows one
fails its fuzz test loudly instead of being sampled wrong.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Long lists add requests' worth of time and no new paths.
MAX_ITEMS = 3


def from_json_schema(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """Values valid under `schema` (objects, arrays, strings with length/pattern/email, integers, enums)."""
    defs = schema.get("$defs", {}) if defs is None else defs
    if "$ref" in schema:
        return from_json_schema(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        return st.one_of([from_json_schema(branch, defs) for branch in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        properties, required = schema.get("properties", {}), set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {name: from_json_schema(properties[name], defs) for name in required},
            optional={n: from_json_schema(s, defs) for n, s in properties.items() if n not in required},
        )
    if kind == "array":
        items = from_json_schema(schema["items"], defs)
        return st.lists(items, max_size=min(schema.get("maxItems", MAX_ITEMS), MAX_ITEMS))
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "null":
        return st.none()
    if kind == "string":
        return _string(schema)
    raise NotImplementedError(f"no strategy for the schema {schema}")


def _string(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if schema.get("format") == "email":
        strings = st.emails()
    elif "pattern" in schema:
        strings = st.from_regex(schema["pattern"], fullmatch=True)
    else:
        return st.text(min_size=low, max_size=high)
    return strings.filter(lambda text: low <= len(text) <= (high or len(text)))
