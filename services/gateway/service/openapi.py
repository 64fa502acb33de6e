"""The merged OpenAPI document: every service's own document fetched at once, merged by `rules.openapi`,
with the CSV and XLSX answers of every paged list (`rules.list_exports`)."""

import asyncio
import logging
from typing import Any

import httpx

from services.gateway.rules.list_exports import document_list_exports
from services.gateway.rules.openapi import merge_documents
from services.gateway.settings import GatewaySettings
from shared.settings import SERVICE_NAMES

log = logging.getLogger("labelops.gateway.openapi")


async def merged_openapi(
    *, base: dict[str, Any], client: httpx.AsyncClient, settings: GatewaySettings
) -> tuple[dict[str, Any], bool]:
    """The gateway's document `base` with every service's /api paths, and whether every service
    answered (an incomplete one is not cached)."""

    async def fetch(name: str) -> dict[str, Any] | None:
        try:
            # A service builds its document on the first ask: seconds on a loaded machine, once.
            response = await client.get(settings.service_url(name) + "/openapi.json", timeout=30.0)
            response.raise_for_status()
            return response.json()
        except httpx.HTTPError as exc:
            log.warning("openapi of %s unavailable: %s", name, exc)
            return None

    docs = dict(zip(SERVICE_NAMES, await asyncio.gather(*(fetch(n) for n in SERVICE_NAMES)), strict=True))
    complete = all(doc is not None for doc in docs.values())
    merged = merge_documents(base, {n: d for n, d in docs.items() if d is not None})
    document_list_exports(merged)
    return merged, complete
