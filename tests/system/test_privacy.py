"""Privacy: erasure reaches other people's free text (shift notes and their follow-ups, partner
communications) that mentions the person, and admins can pseudonymise or delete a gateway user."""

from __future__ import annotations

import uuid

import httpx

from tests.services.contributors.support import new_contributor
from tests.services.vendors.support import new_vendor
from tests.support.api import client_for


def test_erasure_removes_the_persons_name_and_email_from_shift_notes(ops):
    person = new_contributor(ops, full_name="Ada Labeler")
    note = ops.post(
        "/api/v1/shift-notes",
        json={
            "team": "community_leads",
            "subject": "Ada Labeler blocked on queue 7",
            "body": f"ada labeler wrote from {person['email']} at 02:10; reply before noon.",
            "follow_ups": [
                {"description": f"Call Ada Labeler back ({person['email']})", "owner": "night shift"}
            ],
        },
    )
    assert note.status_code == 201, note.text
    other = ops.post(
        "/api/v1/shift-notes",
        json={"team": "delivery", "subject": "Queue 9 is behind", "body": "No names here."},
    ).json()

    assert ops.post(f"/api/v1/contributors/{person['id']}/erase").status_code in (200, 202)

    erased = ops.get(f"/api/v1/shift-notes/{note.json()['id']}").json()
    text = f"{erased['subject']} {erased['body']} {erased['follow_ups'][0]['description']}".lower()
    assert "ada labeler" not in text and person["email"].lower() not in text
    assert "blocked on queue 7" in erased["subject"] and "reply before noon" in erased["body"]
    assert ops.get(f"/api/v1/shift-notes/{other['id']}").json()["body"] == "No names here."


def _user_with_login(admin, cluster):
    email, password = f"p-{uuid.uuid4().hex[:8]}@example.org", "long-enough-password-2"
    user = admin.post(
        "/api/v1/users", json={"email": email, "password": password, "roles": ["analyst"]}
    ).json()
    credentials = {"username": email, "password": password}
    token = httpx.post(f"{cluster.gateway_url}/api/v1/auth/token", data=credentials).json()["access_token"]
    return user, credentials, client_for(cluster.gateway_url, token)


def test_an_admin_pseudonymises_a_user_who_is_signed_out_at_once(admin, cluster):
    user, credentials, signed_in = _user_with_login(admin, cluster)
    assert signed_in.get("/api/v1/auth/me").status_code == 200

    done = admin.post(f"/api/v1/users/{user['id']}/pseudonymise", json={"reason": "GDPR request 42"})

    assert done.status_code == 200, done.text
    assert done.json()["email"] != credentials["username"] and done.json()["disabled"] is True
    assert signed_in.get("/api/v1/auth/me").status_code == 401
    assert httpx.post(f"{cluster.gateway_url}/api/v1/auth/token", data=credentials).status_code == 401
    events = admin.get("/api/v1/audit-events", params={"action": "user.pseudonymised", "limit": 200}).text
    assert f"user:{user['id']}" in events and credentials["username"] not in events


def test_an_admin_deletes_a_user_and_its_sessions(admin, cluster):
    user, credentials, signed_in = _user_with_login(admin, cluster)

    deleted = admin.delete(f"/api/v1/users/{user['id']}")

    assert deleted.status_code == 204
    assert admin.get(f"/api/v1/users/{user['id']}").status_code == 404
    assert signed_in.get("/api/v1/auth/me").status_code == 401
    assert httpx.post(f"{cluster.gateway_url}/api/v1/auth/token", data=credentials).status_code == 401
    assert admin.delete(f"/api/v1/users/{user['id']}").status_code == 404


def test_erasure_removes_the_persons_name_and_email_from_partner_communications(ops, users):
    manager = users.create("vendor_manager")
    vendor = new_vendor(manager)
    person = new_contributor(ops, full_name="Bea Annotator")
    mentioned = manager.post(
        "/api/v1/communications",
        json={"vendor_id": vendor["id"], "direction": "inbound", "channel": "email", "occurred_at": "2026-12-01T09:00:00Z",
              "subject": "Re: Bea Annotator's access", "body": f"Please move {person['email']} to the night team."},
    ).json()  # fmt: skip

    assert ops.post(f"/api/v1/contributors/{person['id']}/erase").status_code in (200, 202)

    after = manager.get(f"/api/v1/communications/{mentioned['id']}").json()
    text = f"{after['subject']} {after['body']}".lower()
    assert "bea annotator" not in text and person["email"].lower() not in text
    assert after["body"].startswith("Please move ") and after["body"].endswith(" to the night team.")
