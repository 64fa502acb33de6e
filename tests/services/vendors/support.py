"""Helpers for the vendors system tests: a webhook receiver, vendors and contracts through the API, and
real production built through the tasks service (a vendor's contributor works a vendor-only project).

Every figure the vendors service reads comes from the real tasks service at its normal URL.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.services.contributors.support import activate as activate_contributor
from tests.services.contributors.support import new_contributor
from tests.support.waiting import eventually


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


# --- real production through the tasks service ---------------------------------------------------


def vendor_staff(
    admin: httpx.Client, users: Any, vendor_id: int | None, languages: tuple[str, ...] = ("en",)
) -> httpx.Client:
    """A contributor of the vendor (None: of the crowd), created and activated in the contributors service
    through the gateway, logged in once the tasks service's read-model has it (from the contributors
    service's own event)."""
    person = new_contributor(
        admin, vendor_id=vendor_id, languages=[{"code": code, "proficiency": "native"} for code in languages]
    )
    activate_contributor(admin, person["id"])

    def eligible() -> bool:
        response = admin.get(f"/api/v1/contributor-profiles/{person['id']}")
        profile = response.json() if response.status_code == 200 else {}
        return profile.get("status") == "active" and profile.get("vendor_id") == vendor_id

    eventually(eligible)
    client = users.create("contributor", contributor_id=person["id"], vendor_id=vendor_id)
    client.contributor_id = person["id"]  # type: ignore[attr-defined]
    return client


def vendor_project(
    admin: httpx.Client,
    vendor_id: int,
    *,
    task_type: str,
    language: str,
    tasks: int = 0,
    rows: list[dict] | None = None,
    **overrides: Any,
) -> tuple[dict, dict[str, int]]:
    """An active tasks project only `vendor_id` may work, with `tasks` plain tasks (or `rows`)."""
    body = {
        "name": unique_name("project"),
        "task_type": task_type,
        "label_schema": {"type": "choices", "choices": ["cat", "dog"], "multiple": False},
        "required_languages": [language],
        "crowd_allowed": False,
        "allowed_vendors": [vendor_id],
        **overrides,
    }
    project = admin.post("/api/v1/projects", json=body)
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]
    rows = rows if rows is not None else [{"data": {"n": i}} for i in range(tasks)]
    imported = admin.post(f"/api/v1/projects/{project_id}/tasks", json=rows)
    assert imported.status_code == 201, imported.text
    active = admin.post(f"/api/v1/projects/{project_id}/transitions", json={"to": "active"})
    assert active.status_code == 200, active.text
    queues = {q["kind"]: q["id"] for q in admin.get(f"/api/v1/projects/{project_id}/queues").json()["items"]}
    return active.json(), queues


def work(
    client: httpx.Client,
    queue_id: int,
    *,
    answers: list[str] | None = None,
    by_task: dict[int, str] | None = None,
    seconds: int = 30,
) -> list[dict]:
    """Lease and answer tasks (next → submit) as the vendor's contributor: one per entry of `answers`, or
    one per entry of `by_task` (the answer for the task whose data is {"n": key}). Returns the
    submissions, each with the task's data."""
    done = []
    for i in range(len(answers if answers is not None else by_task or {})):
        lease = client.post(f"/api/v1/queues/{queue_id}/next")
        assert lease.status_code == 200, lease.text
        data = lease.json()["task"]["data"]
        submitted = client.post(
            f"/api/v1/assignments/{lease.json()['assignment_id']}/submit",
            json={
                "answer": answers[i] if answers is not None else by_task[data["n"]],
                "time_spent_seconds": seconds,
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert submitted.status_code == 201, submitted.text
        done.append({**submitted.json(), "data": data})
    return done


def reviewer(admin: httpx.Client, users: Any, review_queue_id: int) -> httpx.Client:
    """A crowd contributor granted the reviewer role on a project's review queue."""
    client = vendor_staff(admin, users, None)
    grant = admin.post(
        f"/api/v1/queues/{review_queue_id}/permissions",
        json={"contributor_id": client.contributor_id, "role": "reviewer"},  # type: ignore[attr-defined]
    )
    assert grant.status_code == 201, grant.text
    return client


def decide(client: httpx.Client, submission: dict, verdict: str) -> None:
    """Accept or reject (without requeueing) a submission waiting for review."""
    response = client.post(
        "/api/v1/reviews", json={"submission_id": submission["id"], "verdict": verdict, "requeue": False}
    )
    assert response.status_code == 201, response.text
