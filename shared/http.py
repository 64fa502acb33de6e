"""The one way a LabelOps process makes HTTP calls: pooled httpx clients with timeouts and the request id."""

from __future__ import annotations

import httpx

from shared.logging import REQUEST_ID_HEADER, request_id_var


async def _propagate_request_id(request: httpx.Request) -> None:
    request_id = request_id_var.get()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id


def make_client(
    *,
    base_url: str = "",
    timeout_seconds: float = 10.0,
    connect_timeout_seconds: float = 2.0,
    max_connections: int = 200,
) -> httpx.AsyncClient:
    """A pooled async client: a short connect timeout makes a down service fail fast."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        event_hooks={"request": [_propagate_request_id]},
        follow_redirects=False,
    )
