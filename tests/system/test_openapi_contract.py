"""The merged API document is a contract clients can be generated from (issue #16): valid OpenAPI 3.1
with no reference to a schema it does not define, and a typed client generated from it by a real generator
(openapi-python-client) that imports and reads a real answer."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_spec_validator import validate

from services.tasks.rules.importing import ROW_KEYS
from services.vendors.service.webhooks import HANDLERS
from tests.support.cluster import Cluster
from tests.support.databases import BACKEND

REF_PREFIX = "#/components/schemas/"


@pytest.fixture(scope="module")
def document(cluster: Cluster) -> dict[str, Any]:
    return httpx.get(cluster.gateway_url + "/openapi.json", timeout=60.0).json()


def _refs(node: Any) -> set[str]:
    """Every schema reference: `$ref`s, and the schemas a discriminator maps its values to."""
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
            found |= set(discriminator["mapping"].values())
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_the_document_is_valid_openapi(document):
    validate(document)


def test_every_reference_names_a_defined_schema(document):
    defined = set(document["components"]["schemas"])

    dangling = {ref for ref in _refs(document) if ref.removeprefix(REF_PREFIX) not in defined}

    assert dangling == set()


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].removeprefix(REF_PREFIX)]
    return schema


def test_the_vms_receiver_documents_the_event_bodies_it_validates(document):
    # given the receiver, which reads its body raw to check the signature first
    body = document["paths"]["/api/v1/webhooks/vms/{source}"]["post"]["requestBody"]

    # when its documented body is followed to each event type's schema
    events = _resolved(document, body["content"]["application/json"]["schema"])
    documented = {
        event_type: _resolved(document, {"$ref": ref})
        for event_type, ref in events["discriminator"]["mapping"].items()
    }

    # then every event type it handles is there, one of `oneOf`, its `data` the schema that validates it
    assert body["required"] is True
    assert sorted(documented) == sorted(HANDLERS)
    assert sorted(r["$ref"] for r in events["oneOf"]) == sorted(events["discriminator"]["mapping"].values())
    for event_type, event in documented.items():
        data = _resolved(document, event["properties"]["data"])
        validating = HANDLERS[event_type][0].model_fields["data"].annotation.model_json_schema()
        assert event["properties"]["type"]["const"] == event_type
        assert (sorted(data["properties"]), sorted(data.get("required", []))) == (
            sorted(validating["properties"]),
            sorted(validating.get("required", [])),
        ), event_type


def test_a_projects_label_schema_and_an_imports_task_rows_are_documented_schemas(document):
    paths = document["paths"]
    created = paths["/api/v1/projects"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    project = _resolved(document, created)
    imported = paths["/api/v1/projects/{project_id}/tasks"]["post"]["requestBody"]["content"]

    label_schema = _resolved(document, project["properties"]["label_schema"]["allOf"][0])
    row = _resolved(document, imported["application/json"]["schema"]["items"])

    kinds = {
        kind: _resolved(document, {"$ref": ref})
        for kind, ref in label_schema["discriminator"]["mapping"].items()
    }
    assert sorted(kinds) == ["choices", "text"]
    assert (
        kinds["choices"]["required"] == ["type", "choices"] and kinds["text"]["additionalProperties"] is False
    )
    assert sorted(row["properties"]) == sorted(ROW_KEYS) and row["required"] == ["data"]


def _untyped(schema: dict | None) -> bool:
    """A schema that says nothing of its fields: absent, `{}`, or an object open to anything."""
    if not schema:
        return True
    if schema.get("type") == "object":
        return not schema.get("properties") and schema.get("additionalProperties") in (None, True)
    return False


def test_every_answer_with_a_body_has_a_schema_a_client_can_type(document):
    untyped = [
        f"{method.upper()} {path} {status}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status.startswith("2") and status != "204"
        for media, content in (response.get("content") or {"": {}}).items()
        if media.startswith("application/json") or not media
        if _untyped(content.get("schema"))
    ]

    assert untyped == []


def test_a_schema_two_services_define_differently_is_kept_under_each_name(document):
    schemas = document["components"]["schemas"]

    renamed = [name for name in schemas if "." in name]

    assert renamed, "no schema name is shared by two services any more: this test needs another case"
    for name in renamed:
        assert schemas[name] != schemas.get(name.split(".", 1)[1]), name


@pytest.mark.skipif(
    BACKEND != "sqlite", reason="the document does not depend on the database: generated once"
)
def test_a_typed_client_generated_from_the_document_reads_a_real_answer(document, admin, tmp_path: Path):
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(document))
    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec),
         "--output-path", str(tmp_path / "client"), "--meta", "none"],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stdout + generated.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        models = importlib.import_module("client.models")
        me = admin.get("/api/v1/auth/me").json()

        parsed = models.Me.from_dict(me)
    finally:
        sys.path.remove(str(tmp_path))
    assert parsed.to_dict() == me
