"""Forwarding to the owning service: streamed bodies, the caller as an internal token, fast 503s."""

import httpx
from fastapi import APIRouter, Request
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from services.gateway.auth import Caller
from services.gateway.route_table import owning_service
from shared.auth import issue_internal_token
from shared.errors import NotFound, ServiceUnavailable
from shared.logging import REQUEST_ID_HEADER, request_id_var

# RFC 9110 §7.6.1 hop-by-hop fields, plus the ones the gateway itself sets.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
DROP_FROM_REQUEST = HOP_BY_HOP | {"authorization", "cookie", REQUEST_ID_HEADER.lower()}
DROP_FROM_RESPONSE = (HOP_BY_HOP - {"content-length"}) | {"x-request-id"}

router = APIRouter()


def _has_body(request: Request) -> bool:
    return "content-length" in request.headers or "transfer-encoding" in request.headers


@router.api_route(
    "/api/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def forward(request: Request, path: str, principal: Caller) -> StreamingResponse:
    service = owning_service(request.url.path)
    if service is None:
        raise NotFound(f"no API at {request.url.path}")
    settings = request.app.state.settings
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in DROP_FROM_REQUEST]
    token = issue_internal_token(
        principal,
        secret=settings.internal_token_secret.get_secret_value(),
        ttl_seconds=settings.internal_token_ttl_seconds,
    )
    headers += [
        ("authorization", f"Bearer {token}"),
        (REQUEST_ID_HEADER, request_id_var.get() or ""),
        ("x-forwarded-for", request.client.host if request.client else ""),
    ]
    client: httpx.AsyncClient = request.app.state.upstream
    upstream = client.build_request(
        request.method,
        settings.service_url(service) + request.url.path,
        params=request.url.query,
        headers=headers,
        content=request.stream() if _has_body(request) else None,
    )
    try:
        response = await client.send(upstream, stream=True)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as exc:
        raise ServiceUnavailable(
            f"the {service} service is unavailable", service=service, headers={"Retry-After": "5"}
        ) from exc
    except httpx.TimeoutException as exc:
        raise ServiceUnavailable(f"the {service} service did not answer in time", service=service) from exc
    return StreamingResponse(
        response.aiter_raw(),
        status_code=response.status_code,
        headers={k: v for k, v in response.headers.items() if k.lower() not in DROP_FROM_RESPONSE},
        background=BackgroundTask(response.aclose),
    )
