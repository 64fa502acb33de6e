"""One OpenAPI document for the whole API: the gateway's own routes plus every service's /api paths
(`service.openapi` fetches the services' documents; merging them is a function of values)."""

import copy
from typing import Any

from services.gateway.rules.forwarding import SIGNATURE_AUTHENTICATED_PREFIXES

REF_PREFIX = "#/components/schemas/"


def _renamed(ref: Any, renames: dict[str, str]) -> Any:
    if isinstance(ref, str) and ref.startswith(REF_PREFIX):
        return REF_PREFIX + renames.get(ref[len(REF_PREFIX) :], ref[len(REF_PREFIX) :])
    return ref


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    """`node` with every reference to a renamed schema following it: `$ref`s, and the schema references
    a discriminator maps its values to."""
    if isinstance(node, dict):
        renamed = {
            k: _renamed(v, renames) if k == "$ref" else _rename_refs(v, renames) for k, v in node.items()
        }
        discriminator = renamed.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
            discriminator["mapping"] = {k: _renamed(v, renames) for k, v in discriminator["mapping"].items()}
        return renamed
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "title", "status"],
}
# Every operation can answer these through the gateway (auth, limits, validation, a service down…).
PROBLEM_RESPONSES = {
    "400": "Malformed request (e.g. a body that is not JSON)",
    "401": "Missing, invalid or expired credentials",
    "403": "The caller's role may not do this",
    "404": "No such resource, or not one the caller may see",
    "409": "Conflicts with the resource's current state",
    "412": "If-Match does not name the current version",
    "413": "Request body too large",
    "422": "A field is invalid; errors[] names it",
    "428": "If-Match is required for this update",
    "429": "Rate limit reached; see Retry-After",
    "503": "The owning service is unavailable",
}
# Callers of these prove themselves by password, refresh token or webhook signature.
UNAUTHENTICATED_PATHS = ("/api/v1/auth/token", "/api/v1/auth/refresh", *SIGNATURE_AUTHENTICATED_PREFIXES)


def document_problems(document: dict[str, Any]) -> None:
    """Declare the problem+json answers on every operation, replacing FastAPI's 422 shape with ours."""
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    content = {"application/problem+json": {"schema": {"$ref": REF_PREFIX + "Problem"}}}
    for path, operations in document.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in PROBLEM_RESPONSES.items():
                responses[status] = {"description": description, "content": content}
            if path.startswith(UNAUTHENTICATED_PATHS):
                operation["security"] = []


def merge_documents(base: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Add each service's /api paths; a schema name two services define differently gets a prefix."""
    merged = copy.deepcopy(base)
    schemas = merged.setdefault("components", {}).setdefault("schemas", {})
    for name, doc in services.items():
        theirs = doc.get("components", {}).get("schemas", {})
        renames = {s: f"{name}.{s}" for s, body in theirs.items() if s in schemas and schemas[s] != body}
        doc = _rename_refs(doc, renames)
        for schema_name, body in doc.get("components", {}).get("schemas", {}).items():
            # Under the name its references now use: a renamed schema kept its old name would dangle.
            schemas.setdefault(renames.get(schema_name, schema_name), body)
        for path, operations in doc.get("paths", {}).items():
            if path.startswith("/api/"):
                merged["paths"][path] = operations
    merged["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT or lo_ API key"}
    }
    merged["security"] = [{"bearer": []}]
    document_problems(merged)
    return merged
