"""A lean keep-alive HTTP/1.1 client for the load generator, in the spirit of wrk.

The load generator shares the two cores with the system it measures, so every millisecond it spends
is taken from the gateway and the services: aiohttp cost about 0.5 ms of CPU per request, this costs
a fraction of that. It does only what the benchmark needs: one connection, one request at a time,
Content-Length bodies (the gateway and services never chunk these small answers), responses parsed
by httptools (the parser uvicorn uses).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httptools


@dataclass
class Answer:
    status: int
    headers: dict[bytes, bytes] = field(default_factory=dict)
    body: bytes = b""


class Connection(asyncio.Protocol):
    def __init__(self, base_url: str, headers: dict[str, str]):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        fixed = {"Host": f"{self.host}:{self.port}", **headers}
        self._fixed = "".join(f"{k}: {v}\r\n" for k, v in fixed.items()).encode()
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._answer: Answer | None = None
        self._body: list[bytes] = []
        self._done: asyncio.Future[Answer] | None = None

    async def connect(self) -> Connection:
        await asyncio.get_running_loop().create_connection(lambda: self, self.host, self.port)
        return self

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Answer:
        if self._transport is None or self._transport.is_closing():
            raise ConnectionError("connection closed")
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()).encode()
        head = f"{method} {path} HTTP/1.1\r\nContent-Length: {len(body)}\r\n".encode()
        self._done = asyncio.get_running_loop().create_future()
        self._transport.write(head + self._fixed + extra + b"\r\n" + body)
        return await self._done

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(ConnectionError(f"bad response: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(ConnectionError("connection lost"))

    def _fail(self, exc: Exception) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_exception(exc)

    # httptools callbacks
    def on_message_begin(self) -> None:
        self._answer = Answer(status=0)
        self._body = []

    def on_header(self, name: bytes, value: bytes) -> None:
        assert self._answer is not None
        self._answer.headers[name.lower()] = value

    def on_headers_complete(self) -> None:
        assert self._answer is not None
        self._answer.status = self._parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        assert self._answer is not None
        self._answer.body = b"".join(self._body)
        if self._done is not None and not self._done.done():
            self._done.set_result(self._answer)
