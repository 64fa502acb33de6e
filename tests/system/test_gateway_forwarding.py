"""Forwarding through a real gateway to an upstream on loopback that closes connections the way servers do:
the caller always gets the upstream's own answer, and its keep-alive connection to the gateway survives."""

from __future__ import annotations

import asyncio
import http.client
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api import login
from tests.support.cluster import ADMIN_EMAIL, ADMIN_PASSWORD, Cluster, free_port
from tests.support.databases import Databases

# Idle connections the gateway keeps to the upstream; the upstream drops them at twice that.
KEEPALIVE_SECONDS = 0.5


class Upstream:
    """An HTTP/1.1 service on loopback. POST …/fail answers 500 and then drops the connection without
    saying so (uvicorn does after an exception); a connection idle longer than its keep-alive is dropped
    too. Either drop is made to cross the next request sent on it, which is then never answered: the
    race a gateway meets when it reuses such a connection."""

    def __init__(self) -> None:
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", self.port))
        self._started.set()
        self.loop.run_forever()
        server.close()

    def start(self) -> None:
        self._thread.start()
        self._started.wait(5)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        answered_at = None
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if answered_at is not None and time.monotonic() - answered_at > 2 * KEEPALIVE_SECONDS:
                    return  # idle past its keep-alive: closed, so this request goes unanswered
                lines = head.decode("latin-1").split("\r\n")
                length = next(
                    (
                        int(v)
                        for k, _, v in (h.partition(":") for h in lines[1:])
                        if k.lower() == "content-length"
                    ),
                    0,
                )
                await reader.readexactly(length)
                failing = lines[0].split(" ")[1].endswith("/fail")
                status, body = (
                    ("500 Internal Server Error", b'{"status":500}') if failing else ("201 Created", b"{}")
                )
                writer.write(
                    f"HTTP/1.1 {status}\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\nserver: upstream\r\n"
                    f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                if failing:
                    await reader.read(1)  # the next request, if any, crosses the close
                    return
                answered_at = time.monotonic()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, databases: Databases, upstream: Upstream
) -> Iterator[str]:
    """A gateway of its own whose tasks service is the upstream above."""
    running = Cluster(
        Path(tmp_path_factory.mktemp("forwarding")),
        databases.urls,
        extra_env={
            "LABELOPS_TASKS_URL": upstream.url,
            "LABELOPS_GATEWAY_UPSTREAM_KEEPALIVE_SECONDS": str(KEEPALIVE_SECONDS),
        },
    )
    running.start("gateway")
    try:
        running.wait_healthy("gateway")
        yield running.gateway_url
    finally:
        running.stop("gateway")


@pytest.fixture
def connection(gateway: str) -> Iterator[tuple[http.client.HTTPConnection, dict[str, str]]]:
    """One keep-alive connection to the gateway (http.client never reopens it behind the test's back
    unless the gateway said it would close) and the admin's headers."""
    token = login(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)["access_token"]
    conn = http.client.HTTPConnection(gateway.removeprefix("http://"), timeout=10)
    yield conn, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.close()


def _exchange(conn: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str]):
    conn.request(method, path, body=b"{}", headers=headers)
    response = conn.getresponse()
    response.read()
    return response


def test_a_post_after_a_service_500_gets_the_services_answer_on_the_same_client_connection(connection):
    conn, headers = connection

    failed = _exchange(conn, "POST", "/api/v1/projects/fail", headers)
    socket_after_the_500 = conn.sock
    next_post = _exchange(conn, "POST", "/api/v1/projects", headers)

    assert failed.status == 500 and failed.getheader("connection") != "close"
    assert next_post.status == 201
    assert conn.sock is socket_after_the_500


def test_a_post_on_a_connection_idle_past_the_services_keep_alive_gets_the_services_answer(connection):
    conn, headers = connection
    assert _exchange(conn, "POST", "/api/v1/projects", headers).status == 201

    time.sleep(3 * KEEPALIVE_SECONDS)

    assert _exchange(conn, "PATCH", "/api/v1/projects/1", headers).status == 201


def test_a_relayed_answer_carries_one_date_and_one_server_header(connection):
    conn, headers = connection

    response = _exchange(conn, "POST", "/api/v1/projects", headers)

    assert len(response.msg.get_all("date")) == 1
    assert response.msg.get_all("server") == ["uvicorn"]
