"""HTTP for every /api/v1 path a service owns: forwarded as the caller (the route table is
`rules.forwarding`, the sending `service.forwarding`), and a 404 for a prefix nobody owns."""

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.gateway.deps import Caller, authenticate_caller, client_ip
from services.gateway.rules.forwarding import DROP_FROM_REQUEST, owning_service
from services.gateway.rules.list_exports import export_format
from services.gateway.rules.rate_limits import route_class
from services.gateway.service.forwarding import BUFFERED_BYTES, forward
from services.gateway.service.list_exports import export_list
from shared.errors import NotFound, PayloadTooLarge, handled
from shared.logging import REQUEST_ID_HEADER, request_id_var
from shared.metrics import RouteLabel

router = APIRouter()

FORWARDED = RouteLabel("/api/v1/{path:path}")


def _body_limit(request: Request) -> int:
    settings = request.app.state.settings
    bulk = route_class(request.method, request.scope["path"]) == "bulk"
    return settings.max_bulk_body_bytes if bulk else settings.max_body_bytes


async def _capped(stream: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    seen = 0
    async for chunk in stream:
        seen += len(chunk)
        if seen > limit:
            raise PayloadTooLarge(f"the request body is larger than {limit} bytes")
        yield chunk


async def _body(request: Request) -> bytes | AsyncIterator[bytes] | None:
    """The body to send on: small declared bodies whole (sent with a Content-Length, which costs both
    sides less than chunked framing), large or undeclared ones streamed under the cap."""
    if "content-length" not in request.headers and "transfer-encoding" not in request.headers:
        return None
    limit = _body_limit(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the request body is larger than {limit} bytes")
    if declared.isdigit() and int(declared) <= BUFFERED_BYTES:
        return await request.body()
    return _capped(request.stream(), limit)


class ForwardingMiddleware:
    """Paths owned by a service are forwarded here, before FastAPI's routing and dependency solving,
    which profiling at assignment rates showed costing the gateway more than the forwarding itself.
    Authentication, rate limits and error rendering are the same functions and handlers as anywhere."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        service = owning_service(scope["path"]) if scope["type"] == "http" else None
        if service is None or not scope["path"].startswith("/api/v1/"):
            await self.app(scope, receive, send)
            return
        scope["route"] = FORWARDED
        request = Request(scope, receive)
        try:
            principal = await authenticate_caller(request)
            state = request.app.state
            headers = [(k, v) for k, v in request.headers.items() if k.lower() not in DROP_FROM_REQUEST]
            headers += [
                ("Authorization", f"Bearer {state.internal_tokens.token_for(principal)}"),
                (REQUEST_ID_HEADER, request_id_var.get() or ""),
                ("X-Forwarded-For", client_ip(request)),
            ]
            # The raw (still percent-encoded) path: decoding and re-encoding could change what the service sees.
            raw_path = scope.get("raw_path") or scope["path"].encode()
            url = state.settings.service_url(service) + raw_path.decode("latin-1")
            query = scope.get("query_string", b"").decode("latin-1")
            as_file = export_format(request.headers.get("accept")) if request.method == "GET" else None
            if as_file is not None:
                # A list asked for as CSV or XLSX: all its pages, as this caller (README "Lists as files").
                response = await export_list(
                    session=state.proxy_session,
                    service=service,
                    url=url,
                    path=scope["path"],
                    query=query,
                    headers=headers,
                    fmt=as_file,
                    max_rows=state.settings.list_export_max_rows,
                )
            else:
                response = await forward(
                    session=state.proxy_session,
                    service=service,
                    method=request.method,
                    target=f"{url}?{query}" if query else url,
                    headers=headers,
                    body=await _body(request),
                )
        except Exception as exc:
            response = await handled(request, exc)
        await response(scope, receive, send)


@router.api_route(
    "/api/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def unknown_api(request: Request, path: str, _principal: Caller) -> Response:
    """No service owns this prefix (the authenticated caller learns that; others get 401 first)."""
    raise NotFound(f"no API at {request.url.path}")
