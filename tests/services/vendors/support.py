"""Helpers for the vendors system tests: a stand-in for the tasks service and a webhook receiver.

STAND-IN: the tasks service does not serve its production, vendor-stats and vendor-suspension
endpoints yet, so the vendors service is pointed (LABELOPS_VENDORS_TASKS_API_URL) at this loopback
stub that serves exactly the agreed contract:
  GET  /api/v1/production?vendor_id=&from=&to=   GET /api/v1/stats/vendors/{vendor_id}?from=&to=
  (from/to are UTC instants with an offset, the period [from, to), as the tasks service reads them)
  POST /api/v1/projects/{project_id}/vendor-suspensions   DELETE .../vendor-suspensions/{vendor_id}
The variables are set when this module is imported, i.e. at collection, before the session's
cluster starts; they only concern the vendors process.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx


class TasksStandIn:
    """In-memory production, stats and suspensions, filled by the tests."""

    def __init__(self) -> None:
        self.production: list[dict[str, Any]] = []
        self.stats: dict[int, dict[str, Any]] = {}
        self.suspensions: dict[tuple[int, int], str] = {}
        self.lock = threading.Lock()

    def add_production(self, *, day: str, **item: Any) -> None:
        with self.lock:
            self.production.append({"day": day, "rejected_units": 0, **item})

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        with self.lock:
            if method == "GET" and "+00:00" not in query.get("from", "") + query.get("to", ""):
                return 422, {"detail": "from and to need a UTC offset"}
            if method == "GET" and path == "/api/v1/production":
                items = [
                    {k: v for k, v in item.items() if k != "day"}
                    for item in self.production
                    if ("vendor_id" not in query or str(item["vendor_id"]) == query["vendor_id"])
                    and query["from"][:10] <= item["day"] < query["to"][:10]
                ]
                return 200, {"items": items}
            if method == "GET" and parts[:4] == ["api", "v1", "stats", "vendors"]:
                vendor_id = int(parts[4])
                if vendor_id not in self.stats:
                    return 404, {"detail": "no stats"}
                return 200, {"vendor_id": vendor_id, **self.stats[vendor_id]}
            if parts[:3] == ["api", "v1", "projects"] and parts[4:5] == ["vendor-suspensions"]:
                project_id = int(parts[3])
                if method == "POST":
                    self.suspensions[(project_id, int(body["vendor_id"]))] = body["reason"]
                    return 201, body
                if method == "DELETE":
                    found = self.suspensions.pop((project_id, int(parts[5])), None)
                    return (204, None) if found is not None else (404, {"detail": "not suspended"})
        return 404, {"detail": "unknown stand-in path"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def serve(responder: Callable[[str, str, dict[str, str], bytes, dict[str, str]], tuple[int, Any]]) -> str:
    """Start a loopback HTTP server answering with `responder(method, path, query, body, headers)`."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            split = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, payload = responder(
                self.command, split.path, query, raw, {k.lower(): v for k, v in self.headers.items()}
            )
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


TASKS = TasksStandIn()


def _tasks_responder(method: str, path: str, query: dict, raw: bytes, _headers: dict) -> tuple[int, Any]:
    return TASKS.handle(method, path, query, json.loads(raw) if raw else None)


TASKS_URL = serve(_tasks_responder)
os.environ.setdefault("LABELOPS_VENDORS_TASKS_API_URL", TASKS_URL)
os.environ["LABELOPS_VENDORS_WEBHOOKS_ALLOW_LOOPBACK"] = "true"
os.environ["LABELOPS_VENDORS_WEBHOOK_RETRY_BASE_SECONDS"] = "0.2"
os.environ["LABELOPS_VENDORS_WEBHOOK_RETRY_CAP_SECONDS"] = "0.5"
os.environ["LABELOPS_VENDORS_WEBHOOK_MAX_ATTEMPTS"] = "3"
os.environ["LABELOPS_VENDORS_WEBHOOK_POLL_SECONDS"] = "0.2"
os.environ["LABELOPS_VENDORS_BUDGET_SWEEP_SECONDS"] = "0.5"


class Receiver:
    """A webhook receiver on loopback that answers each request with the next scripted status."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.url = serve(self._respond) + "/hook"

    def _respond(self, method: str, path: str, query: dict, raw: bytes, headers: dict) -> tuple[int, Any]:
        with self.lock:
            self.requests.append({"body": raw, "headers": headers})
            status = self.statuses.pop(0) if self.statuses else 200
        return status, {"ok": status < 300}


def unique_name(prefix: str) -> str:
    import uuid

    return f"{prefix} {uuid.uuid4().hex[:10]}"


def new_vendor(client: httpx.Client, **overrides: Any) -> dict:
    body = {"name": unique_name("Vendor"), "country": "PH", **overrides}
    response = client.post("/api/v1/vendors", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def new_contract(client: httpx.Client, vendor_id: int, **overrides: Any) -> dict:
    body = {
        "vendor_id": vendor_id,
        "title": "Master services agreement",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "currency": "USD",
        "payment_terms_days": 30,
        **overrides,
    }
    response = client.post("/api/v1/contracts", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def activate(client: httpx.Client, contract_id: int) -> dict:
    for status in ("negotiating", "active"):
        response = client.post(f"/api/v1/contracts/{contract_id}/transitions", json={"to": status})
        assert response.status_code == 200, response.text
    return response.json()


def active_contract_with_rates(
    client: httpx.Client, vendor_id: int, lines: list[dict], **overrides: Any
) -> dict:
    contract = new_contract(client, vendor_id, **overrides)
    response = client.put(f"/api/v1/rate-cards/{contract['id']}", json={"lines": lines})
    assert response.status_code == 200, response.text
    return activate(client, contract["id"])
