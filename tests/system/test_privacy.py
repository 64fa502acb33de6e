"""Privacy: erasure reaches other people's free text (shift notes and their follow-ups, partner
communications) that mentions the person, admins can pseudonymise or delete a gateway user, and an admin
can export everything LabelOps holds about a person (a DSAR) in one document."""

from __future__ import annotations

import uuid

import httpx

from tests.services.contributors.support import activate, new_contributor
from tests.services.tasks.helpers import active_project, work_one
from tests.services.vendors.support import new_vendor
from tests.support.api import client_for
from tests.support.waiting import eventually


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


def _person_with_a_history(admin, ops, users, cluster) -> dict:
    """A contributor who signed in, answered a task, wrote in, and is named in a shift note and in a
    partner communication: a row about it in every service."""
    _, queues = active_project(admin, tasks=1)
    person = new_contributor(
        ops, full_name="Cleo Tagger", languages=[{"code": "en", "proficiency": "native"}]
    )
    activate(ops, person["id"])
    email, password = f"cleo-{uuid.uuid4().hex[:8]}@example.org", "long-enough-password-3"
    user = admin.post("/api/v1/users", json={"email": email, "password": password, "roles": ["contributor"],
                                             "contributor_id": person["id"]}).json()  # fmt: skip
    token = httpx.post(
        f"{cluster.gateway_url}/api/v1/auth/token", data={"username": email, "password": password}
    )
    me = client_for(cluster.gateway_url, token.json()["access_token"])
    eventually(lambda: me.post(f"/api/v1/queues/{queues['labeling']}/next").status_code == 200)
    submitted = work_one(me, queues["labeling"])
    ticket = me.post("/api/v1/tickets", json={"channel": "email", "category": "payment",
                                              "subject": "My payout is late", "body": "Since Monday."}).json()  # fmt: skip
    note = ops.post("/api/v1/shift-notes", json={"team": "community_leads", "subject": "Cleo Tagger payout",
                                                 "body": "Escalated to finance."}).json()  # fmt: skip
    manager = users.create("vendor_manager")
    mention = manager.post("/api/v1/communications", json={
        "vendor_id": new_vendor(manager)["id"], "direction": "outbound", "channel": "email",
        "occurred_at": "2026-12-01T09:00:00Z", "subject": "Staffing", "body": f"Is {person['email']} yours?",
    }).json()  # fmt: skip
    return {"person": person, "user": user, "submitted": submitted, "ticket": ticket, "note": note,
            "mention": mention}  # fmt: skip


def _ids(rows: list[dict]) -> set:
    return {row["id"] for row in rows}


def test_an_admin_exports_everything_labelops_holds_about_a_person(admin, ops, users, cluster):
    history = _person_with_a_history(admin, ops, users, cluster)
    person = history["person"]

    response = admin.get(f"/api/v1/contributors/{person['id']}/personal-data")

    assert response.status_code == 200, response.text
    export = response.json()
    contributors, tasks = export["services"]["contributors"], export["services"]["tasks"]
    gateway, vendors = export["services"]["gateway"], export["services"]["vendors"]
    assert export["contributor_id"] == person["id"]
    assert [row["email"] for row in contributors["contributors"]] == [person["email"]]
    assert [row["to_status"] for row in contributors["status_changes"]][-1] == "active"
    assert history["ticket"]["id"] in _ids(contributors["tickets"])
    assert "Since Monday." in [m["body"] for m in contributors["ticket_messages"]]
    assert history["note"]["id"] in _ids(contributors["shift_notes"])
    assert [row["answer"] for row in tasks["submissions"]] == ["cat"]
    assert [row["contributor_id"] for row in tasks["contributor_profiles"]] == [person["id"]]
    assert len(tasks["assignments"]) == 1
    assert _ids(gateway["users"]) == {history["user"]["id"]} and len(gateway["auth_sessions"]) == 1
    assert "login.succeeded" in [event["action"] for event in gateway["audit_events"]]
    assert _ids(vendors["partner_communications"]) == {history["mention"]["id"]}
    # Secrets are not handed out with the person's data.
    assert "password_hash" not in response.text and "token_hash" not in response.text


def test_the_export_is_for_admins_and_names_a_missing_person(admin, ops):
    person = new_contributor(ops)

    refused = ops.get(f"/api/v1/contributors/{person['id']}/personal-data")
    missing = admin.get("/api/v1/contributors/2147483000/personal-data")

    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_after_erasure_the_export_holds_no_name_or_email(admin, ops, users, cluster):
    history = _person_with_a_history(admin, ops, users, cluster)
    person = history["person"]

    assert ops.post(f"/api/v1/contributors/{person['id']}/erase").status_code in (200, 202)
    # The gateway pseudonymises the linked user when it hears of the erasure (an event).
    eventually(lambda: admin.get(f"/api/v1/users/{history['user']['id']}").json()["email"]
               != history["user"]["email"])  # fmt: skip
    export = admin.get(f"/api/v1/contributors/{person['id']}/personal-data")

    assert export.status_code == 200, export.text
    text = export.text.lower()
    assert person["email"].lower() not in text and history["user"]["email"] not in text
    assert "cleo tagger" not in text
    # The rows are still there, pseudonymised: the export says what is held, not that nothing is.
    assert history["ticket"]["id"] in _ids(export.json()["services"]["contributors"]["tickets"])
