"""Forwarding to the owning service: streamed bodies, the caller as an internal token, fast 503s.

The forwarding client is aiohttp rather than the httpx used elsewhere: httpcore's pool polls every idle
connection on each request, which profiling showed to cost more than the rest of the gateway together
at assignment rates (see bench/). httpx still serves the gateway's other calls.
"""

import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from fastapi import APIRouter, Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse
from yarl import URL

from services.gateway.auth import Caller, authenticate_caller
from services.gateway.ratelimit import route_class
from services.gateway.route_table import owning_service
from shared.auth import Principal, issue_internal_token
from shared.errors import NotFound, PayloadTooLarge, ServiceUnavailable, handled
from shared.logging import REQUEST_ID_HEADER, request_id_var
from shared.metrics import RouteLabel

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
# The gateway's own server sets Date and Server on every answer; relayed too, they would appear twice.
DROP_FROM_RESPONSE = (HOP_BY_HOP - {"content-length"}) | {"x-request-id", "date", "server"}

# Bodies up to this size are read whole rather than streamed, in both directions.
BUFFERED_BYTES = 1_048_576

router = APIRouter()


class InternalTokens:
    """Minting a token per request is measurable at assignment rates; one per caller is reused for half
    its lifetime, so a forwarded token always has at least that long left."""

    def __init__(self, *, secret: str, ttl_seconds: int):
        self.secret = secret
        self.ttl_seconds = ttl_seconds
        self._tokens: dict[Principal, tuple[str, float]] = {}

    def token_for(self, principal: Principal) -> str:
        now = time.monotonic()
        cached = self._tokens.get(principal)
        if cached is not None and cached[1] > now:
            return cached[0]
        if len(self._tokens) > 50_000:
            self._tokens = {p: t for p, t in self._tokens.items() if t[1] > now}
        token = issue_internal_token(principal, secret=self.secret, ttl_seconds=self.ttl_seconds)
        self._tokens[principal] = (token, now + self.ttl_seconds / 2)
        return token


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


class UpstreamResponse(aiohttp.ClientResponse):
    """A service may close its connection right after a 5xx answer without saying so (uvicorn does when an
    exception follows the answer). Back in the pool, that connection could carry the next request into the
    close, and a POST lost that way cannot be retried safely (the service may have received it), so the
    connection of a 5xx answer is never reused. Only error answers pay for this."""

    async def start(self, connection: Any) -> aiohttp.ClientResponse:
        protocol = connection.protocol
        await super().start(connection)
        if self.status >= 500 and protocol is not None:
            if self.connection is None:
                protocol.close()  # the whole answer had arrived: the connection is already in the pool
            else:
                protocol.force_close()  # closed rather than pooled once the body has been read
        return self


def upstream_session(
    *, connect_timeout: float, total_timeout: float, keepalive_seconds: float
) -> aiohttp.ClientSession:
    # Raw bytes pass through untouched: no decompression, no auto headers beyond Host.
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=0, limit_per_host=512, keepalive_timeout=keepalive_seconds, use_dns_cache=True
        ),
        timeout=aiohttp.ClientTimeout(total=total_timeout, sock_connect=connect_timeout),
        auto_decompress=False,
        skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
        response_class=UpstreamResponse,
    )


def _response_headers(upstream: aiohttp.ClientResponse, *, keep_length: bool) -> list[tuple[bytes, bytes]]:
    drop = DROP_FROM_RESPONSE if keep_length else DROP_FROM_RESPONSE | {"content-length"}
    return [(k.lower(), v) for k, v in upstream.raw_headers if k.decode("latin-1").lower() not in drop]


async def forward(request: Request, principal: Principal, service: str) -> Response:
    """Send the request on to the owning service as the caller and relay its answer byte for byte."""
    state = request.app.state
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in DROP_FROM_REQUEST]
    headers += [
        ("Authorization", f"Bearer {state.internal_tokens.token_for(principal)}"),
        (REQUEST_ID_HEADER, request_id_var.get() or ""),
        ("X-Forwarded-For", request.client.host if request.client else ""),
    ]
    # The raw (still percent-encoded) path: decoding and re-encoding could change what the service sees.
    scope = request.scope
    raw_path = scope.get("raw_path") or scope["path"].encode()
    target = state.settings.service_url(service) + raw_path.decode("latin-1")
    if scope.get("query_string"):
        target += "?" + scope["query_string"].decode("latin-1")
    try:
        upstream = await state.proxy_session.request(
            request.method,
            URL(target, encoded=True),
            headers=headers,
            data=await _body(request),
            allow_redirects=False,
        )
    except (aiohttp.ClientConnectionError, TimeoutError) as exc:
        if isinstance(exc.__cause__, PayloadTooLarge):
            # A streamed body went over the cap mid-way; aiohttp wraps what the body iterator raised.
            raise exc.__cause__ from None
        raise ServiceUnavailable(
            f"the {service} service is unavailable", service=service, headers={"Retry-After": "5"}
        ) from exc
    length = upstream.content_length
    if length is not None and length <= BUFFERED_BYTES:
        # Small answers (nearly all) are relayed whole: cheaper than a streaming response.
        try:
            body = await upstream.read()
        finally:
            upstream.release()
        response = Response(content=body, status_code=upstream.status)
        response.raw_headers = [*_response_headers(upstream, keep_length=False), *response.raw_headers]
        return response
    streamed = StreamingResponse(
        upstream.content.iter_any(), status_code=upstream.status, background=BackgroundTask(upstream.release)
    )
    streamed.raw_headers = _response_headers(upstream, keep_length=True)
    return streamed


FORWARDED = RouteLabel("/api/v1/{path:path}")


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
            response = await forward(request, await authenticate_caller(request), service)
        except Exception as exc:
            response = await handled(request, exc)
        await response(scope, receive, send)


@router.api_route(
    "/api/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def unknown_api(request: Request, path: str, _principal: Caller) -> Response:
    """No service owns this prefix (the authenticated caller learns that; others get 401 first)."""
    raise NotFound(f"no API at {request.url.path}")
