"""Forwarding to the owning service: the caller as an internal token, streamed bodies, fast 503s.

The forwarding client is aiohttp rather than the httpx used elsewhere: httpcore's pool polls every idle
connection on each request, which profiling showed to cost more than the rest of the gateway together
at assignment rates (see bench/). httpx still serves the gateway's other calls.
"""

import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse
from yarl import URL

from services.gateway.rules.forwarding import DROP_FROM_RESPONSE
from shared.auth import Principal, issue_internal_token
from shared.errors import PayloadTooLarge, ServiceUnavailable

# Bodies up to this size are read whole rather than streamed, in both directions.
BUFFERED_BYTES = 1_048_576


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


async def send(
    *,
    session: aiohttp.ClientSession,
    service: str,
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes | AsyncIterator[bytes] | None,
) -> aiohttp.ClientResponse:
    """Send a request on to the owning `service` at `target` (percent-encoded); a service that cannot be
    reached is a 503 naming it. The caller reads or relays the answer, and releases it."""
    try:
        return await session.request(
            method, URL(target, encoded=True), headers=headers, data=body, allow_redirects=False
        )
    except (aiohttp.ClientConnectionError, TimeoutError) as exc:
        if isinstance(exc.__cause__, PayloadTooLarge):
            # A streamed body went over the cap mid-way; aiohttp wraps what the body iterator raised.
            raise exc.__cause__ from None
        raise ServiceUnavailable(
            f"the {service} service is unavailable", service=service, headers={"Retry-After": "5"}
        ) from exc


async def relay(upstream: aiohttp.ClientResponse, *, body: bytes | None = None) -> Response:
    """A service's answer relayed byte for byte; `body` when the caller has already read it."""
    length = upstream.content_length
    if body is None and length is not None and length <= BUFFERED_BYTES:
        # Small answers (nearly all) are relayed whole: cheaper than a streaming response.
        try:
            body = await upstream.read()
        finally:
            upstream.release()
    if body is not None:
        response = Response(content=body, status_code=upstream.status)
        response.raw_headers = [*_response_headers(upstream, keep_length=False), *response.raw_headers]
        return response
    streamed = StreamingResponse(
        upstream.content.iter_any(), status_code=upstream.status, background=BackgroundTask(upstream.release)
    )
    streamed.raw_headers = _response_headers(upstream, keep_length=True)
    return streamed


async def forward(
    *,
    session: aiohttp.ClientSession,
    service: str,
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes | AsyncIterator[bytes] | None,
) -> Response:
    """Send a request on to the owning `service` and relay its answer byte for byte."""
    upstream = await send(
        session=session, service=service, method=method, target=target, headers=headers, body=body
    )
    return await relay(upstream)
