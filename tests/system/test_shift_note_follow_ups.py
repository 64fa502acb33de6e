"""Shift-note follow-ups are owned by gateway users, named by id like a ticket's assignee: the contributors
service asks the gateway who the user is, keeps the display name, and refuses who cannot work follow-ups."""

from __future__ import annotations

from tests.services.contributors.support import edit_follow_up
from tests.support.api import Users


def _note(client, **follow_up) -> dict:
    response = client.post(
        "/api/v1/shift-notes",
        json={
            "team": "delivery",
            "subject": "OCR queue",
            "body": "Depth doubled overnight.",
            "follow_ups": [follow_up],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_follow_up_is_owned_by_a_user_named_by_id_and_handed_to_another(users: Users, ops):
    first = users.create("support")
    second = users.create("vendor_manager")
    note = _note(ops, description="Check the OCR queue", owner_id=first.user["id"])
    follow_up = note["follow_ups"][0]

    handed = edit_follow_up(ops, note["id"], follow_up["id"], {"owner_id": second.user["id"]})
    history = ops.get(f"/api/v1/shift-notes/{note['id']}/history").json()["items"]

    assert (follow_up["owner_id"], follow_up["owner"]) == (first.user["id"], first.user["display_name"])
    assert handed.status_code == 200, handed.text
    assert (handed.json()["owner_id"], handed.json()["owner"]) == (
        second.user["id"],
        second.user["display_name"],
    )
    assert [(c["field"], c["from_value"], c["to_value"]) for c in history] == [
        ("owner", first.user["display_name"], second.user["display_name"])
    ]


def test_an_owner_who_cannot_work_follow_ups_is_a_422_naming_the_field(users: Users, ops, admin):
    analyst = users.create("analyst")
    gone = users.create("ops")
    admin.patch(f"/api/v1/users/{gone.user['id']}", json={"disabled": True})
    note = _note(ops, description="Brief the vendor", owner="Ana")
    path = f"/api/v1/shift-notes/{note['id']}/follow-ups"

    not_a_writer = ops.post(path, json={"description": "x", "owner_id": analyst.user["id"]})
    disabled = edit_follow_up(ops, note["id"], note["follow_ups"][0]["id"], {"owner_id": gone.user["id"]})
    unknown = ops.post(
        "/api/v1/shift-notes",
        json={"team": "delivery", "subject": "s", "body": "b",
              "follow_ups": [{"description": "x", "owner_id": 987654}]},
    )  # fmt: skip

    assert not_a_writer.status_code == 422 and not_a_writer.json()["errors"][0]["field"] == "owner_id"
    assert disabled.status_code == 422 and "disabled" in disabled.json()["errors"][0]["detail"]
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["pointer"] == "/follow_ups/0/owner_id"
