"""Documenting a request body no route parameter declares: a route that must read its body raw (a signed
webhook: the signature covers the bytes, so nothing may parse them first) names the schema in its
`openapi_extra` (`raw_json_body`), and the app's document carries that schema as a component
(`document_schemas`), as FastAPI's "Extending OpenAPI" guide overrides `app.openapi`."""

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.models import Schema
from pydantic import TypeAdapter

REF_PREFIX = "#/components/schemas/"


def raw_json_body(schema_name: str, *, description: str) -> dict[str, Any]:
    """`openapi_extra` of a route reading a JSON body raw whose schema is the component `schema_name`."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": {"$ref": REF_PREFIX + schema_name}}},
        }
    }


def component_schemas(types: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each type's JSON schema (as validated) under its name, and the models it refers to under theirs."""
    components: dict[str, dict[str, Any]] = {}
    for name, type_ in types.items():
        schema = TypeAdapter(type_).json_schema(ref_template=REF_PREFIX + "{model}")
        for defined, body in schema.pop("$defs", {}).items():
            _add(components, defined, _as_fastapi_writes(body))
        _add(components, name, _as_fastapi_writes(schema))
    return components


def _as_fastapi_writes(schema: dict[str, Any]) -> dict[str, Any]:
    # FastAPI writes its document through its OpenAPI models without None values (a `default: null`
    # goes): written the same way, a model the routes already show is recognised as the same schema.
    return jsonable_encoder(Schema.model_validate(schema), by_alias=True, exclude_none=True)


def _add(components: dict[str, dict[str, Any]], name: str, body: dict[str, Any]) -> None:
    if components.setdefault(name, body) != body:
        # Two different schemas under one name: a reference would silently mean the other one.
        raise ValueError(f"two different schemas are named {name!r} in the OpenAPI document")


def document_schemas(app: FastAPI, types: Mapping[str, Any]) -> None:
    """Add `types` (component name → type) and what they refer to to `app`'s OpenAPI components."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, body in component_schemas(types).items():
                _add(schemas, name, body)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
