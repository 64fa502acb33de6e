"""Merging the services' API documents: a schema two services name alike is kept under each, and every
reference to it follows the rename."""

from services.gateway.rules.openapi import merge_documents

REF = "#/components/schemas/"


def _service(event_schema: dict) -> dict:
    body = {
        "oneOf": [{"$ref": REF + "Event"}],
        "discriminator": {"propertyName": "type", "mapping": {"vendor.updated": REF + "Event"}},
    }
    return {
        "paths": {"/api/v1/webhooks/vms/{source}": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {"$ref": REF + "Inbound"}}}},
            "responses": {},
        }}},
        "components": {"schemas": {"Event": event_schema, "Inbound": body}},
    }  # fmt: skip


def test_a_discriminator_mapping_follows_a_renamed_schema():
    base = {"paths": {}, "components": {"schemas": {"Event": {"type": "string"}}}}

    merged = merge_documents(base, {"vendors": _service({"type": "object"})})

    schemas = merged["components"]["schemas"]
    assert schemas["Inbound"]["oneOf"] == [{"$ref": REF + "vendors.Event"}]
    assert schemas["Inbound"]["discriminator"]["mapping"] == {"vendor.updated": REF + "vendors.Event"}
    assert (schemas["Event"], schemas["vendors.Event"]) == ({"type": "string"}, {"type": "object"})


def test_a_mapping_to_a_schema_kept_under_its_name_is_left_as_it_is():
    merged = merge_documents({"paths": {}}, {"vendors": _service({"type": "object"})})

    assert merged["components"]["schemas"]["Inbound"]["discriminator"]["mapping"] == {
        "vendor.updated": REF + "Event"
    }
