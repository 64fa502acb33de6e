"""Helpers for the contributors tests: build people through the API, feed events in, read the outbox."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from shared.auth import issue_internal_token, service_principal
from tests.support.api import unique_email
from tests.support.cluster import Cluster
from tests.support.sql import query

PROBLEM = "application/problem+json"
REQUIRED_STEPS = ("profile_setup", "guidelines_ack", "nda", "training", "qualification")


def contributor_body(**overrides: Any) -> dict[str, Any]:
    return {
        "email": unique_email(),
        "full_name": "Ada Labeler",
        "country": "PH",
        "timezone": "Asia/Manila",
        "languages": [{"code": "tl", "proficiency": "native"}, {"code": "en", "proficiency": "fluent"}],
        "skills": ["ner"],
        **overrides,
    }


def new_contributor(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/contributors", json=contributor_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def move(client: httpx.Client, contributor_id: int, to: str, reason: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"to": to}
    if reason is not None:
        body["reason"] = reason
    return client.post(f"/api/v1/contributors/{contributor_id}/transitions", json=body)


def complete_onboarding(client: httpx.Client, contributor_id: int, steps=REQUIRED_STEPS) -> None:
    for step in steps:
        response = client.post(f"/api/v1/contributors/{contributor_id}/onboarding/{step}")
        assert response.status_code == 200, response.text


def activate(client: httpx.Client, contributor_id: int) -> dict[str, Any]:
    """applied → screening → onboarding (+ required steps) → active."""
    for to in ("screening", "onboarding"):
        assert move(client, contributor_id, to).status_code == 200
    complete_onboarding(client, contributor_id)
    response = move(client, contributor_id, "active")
    assert response.status_code == 200, response.text
    return response.json()


def edit_follow_up(
    client: httpx.Client, note_id: int, follow_up_id: int, body: dict[str, Any]
) -> httpx.Response:
    """PATCH a shift note's follow-up as it reads now: If-Match names its current version."""
    note = client.get(f"/api/v1/shift-notes/{note_id}").json()
    [follow_up] = [f for f in note["follow_ups"] if f["id"] == follow_up_id]
    return client.patch(
        f"/api/v1/shift-notes/{note_id}/follow-ups/{follow_up_id}",
        json=body,
        headers={"If-Match": f'"{follow_up_id}-{follow_up["version"]}"'},
    )


def service_token(cluster: Cluster, name: str = "tasks") -> str:
    return issue_internal_token(service_principal(name), secret=cluster.internal_secret, ttl_seconds=120)


def send_event(
    cluster: Cluster, event_type: str, data: dict[str, Any], *, event_id: str | None = None
) -> httpx.Response:
    """Deliver an event to the contributors service as the tasks service's dispatcher does."""
    event = {
        "id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "source": "tasks",
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": data,
    }
    return httpx.post(
        cluster.services["contributors"].url + "/internal/events",
        json=event,
        headers={"Authorization": f"Bearer {service_token(cluster)}"},
        timeout=30.0,
    )


def submission(
    cluster: Cluster, contributor_id: int, *, severity: str, seconds: int, at: datetime, project_id: int = 1
):
    response = send_event(
        cluster,
        "submission.recorded",
        {
            "contributor_id": contributor_id,
            "project_id": project_id,
            "severity": severity,
            "seconds": seconds,
            "submitted_at": at.isoformat(),
        },
    )
    assert response.status_code == 200, response.text
    return response


def outbox(
    databases, contributor_id: int, event_type: str, destination: str = "tasks"
) -> list[dict[str, Any]]:
    """The events published for a contributor, oldest first, with their payloads decoded."""
    rows = query(
        databases.urls["contributors"],
        "SELECT event_id, payload, delivered_at FROM event_outbox WHERE event_type = :t AND destination = :d "
        "AND CAST(payload AS TEXT) LIKE :needle ORDER BY id",
        t=event_type,
        d=destination,
        needle=f'%"contributor_id":{contributor_id}%',
    )
    out = []
    for row in rows:
        payload = row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"])
        if payload.get("contributor_id") == contributor_id:
            out.append({**row, "payload": payload})
    return out
