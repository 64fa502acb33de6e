"""One OpenAPI document for the whole API: the gateway's own routes plus every service's /api paths."""

import asyncio
import copy
import logging
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from services.gateway.route_table import SIGNATURE_AUTHENTICATED_PREFIXES
from shared.settings import SERVICE_NAMES

log = logging.getLogger("labelops.gateway.openapi")
REF_PREFIX = "#/components/schemas/"


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            k: (REF_PREFIX + renames.get(v[len(REF_PREFIX) :], v[len(REF_PREFIX) :]))
            if k == "$ref" and isinstance(v, str) and v.startswith(REF_PREFIX)
            else _rename_refs(v, renames)
            for k, v in node.items()
        }
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
            schemas.setdefault(schema_name, body)
        for path, operations in doc.get("paths", {}).items():
            if path.startswith("/api/"):
                merged["paths"][path] = operations
    merged["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT or lo_ API key"}
    }
    merged["security"] = [{"bearer": []}]
    document_problems(merged)
    return merged


async def build_openapi(app: FastAPI) -> tuple[dict[str, Any], bool]:
    """The merged document, and whether every service answered (an incomplete one is not cached)."""
    base = get_openapi(title="LabelOps API", version="1.0.0", description=app.description, routes=app.routes)
    settings = app.state.settings
    client: httpx.AsyncClient = app.state.upstream

    async def fetch(name: str) -> dict[str, Any] | None:
        try:
            response = await client.get(settings.service_url(name) + "/openapi.json", timeout=5.0)
            response.raise_for_status()
            return response.json()
        except httpx.HTTPError as exc:
            log.warning("openapi of %s unavailable: %s", name, exc)
            return None

    docs = dict(zip(SERVICE_NAMES, await asyncio.gather(*(fetch(n) for n in SERVICE_NAMES)), strict=True))
    complete = all(doc is not None for doc in docs.values())
    return merge_documents(base, {n: d for n, d in docs.items() if d is not None}), complete
