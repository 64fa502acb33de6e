"""A gateway user's rename reaches every place the contributors service names the user by a copy of the
display name (a ticket's assignee and escalation lead, a follow-up's owner): the gateway publishes
`user.updated` with the user's version, and an older version arriving late changes nothing. A user
disabled or deleted (`user.deleted`) holds no open ticket or follow-up any more: tickets are back among
the unassigned, follow-ups fall to their note's team."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import httpx

from tests.services.contributors.support import edit_follow_up, new_contributor, send_event
from tests.support.api import Users
from tests.support.sql import query
from tests.support.waiting import eventually


def _ticket(client: httpx.Client) -> dict:
    body = {"contributor_id": new_contributor(client)["id"], "channel": "web", "category": "payment",
            "subject": "Payout missing", "body": "Since Monday", "priority": "P3"}  # fmt: skip
    response = client.post("/api/v1/tickets", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _assigned_to(client: httpx.Client, user_id: int) -> dict:
    ticket = _ticket(client)
    url = f"/api/v1/tickets/{ticket['id']}"
    response = client.patch(
        url, json={"assignee_id": user_id}, headers={"If-Match": client.get(url).headers["ETag"]}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _escalated_to(client: httpx.Client, user_id: int) -> dict:
    ticket = _ticket(client)
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/escalate", json={"lead_id": user_id, "reason": "payout run failed"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _note_owned_by(client: httpx.Client, user_id: int) -> dict:
    response = client.post(
        "/api/v1/shift-notes",
        json={"team": "delivery", "subject": "Payouts", "body": "Two payouts bounced.",
              "follow_ups": [{"description": "Call the bank", "owner_id": user_id}]},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


def _rename(users: Users, user_id: int) -> str:
    name = f"Renamed {uuid.uuid4().hex[:6]}"
    response = users.admin.patch(f"/api/v1/users/{user_id}", json={"display_name": name})
    assert response.status_code == 200, response.text
    return name


def _names(client: httpx.Client, user_id: int, assigned: dict, escalated: dict, note: dict) -> set[str]:
    """Every name the contributors service shows the user by, on each surface that names it."""
    one = client.get(f"/api/v1/tickets/{assigned['id']}").json()
    other = client.get(f"/api/v1/tickets/{escalated['id']}").json()
    listed = client.get("/api/v1/tickets", params={"assignee_id": user_id, "limit": 200}).json()["items"]
    follow_up = client.get(f"/api/v1/shift-notes/{note['id']}").json()["follow_ups"][0]
    return {
        one["assignee"]["display_name"],
        other["assignee"]["display_name"],
        other["escalated_to"]["display_name"],
        *(t["assignee"]["display_name"] for t in listed),
        follow_up["owner"],
    }


def test_a_renamed_user_is_shown_by_the_new_name_wherever_it_is_named(users, ops):
    agent = users.create("support").user
    assigned, escalated = _assigned_to(ops, agent["id"]), _escalated_to(ops, agent["id"])
    note = _note_owned_by(ops, agent["id"])
    assert _names(ops, agent["id"], assigned, escalated, note) == {agent["display_name"]}

    name = _rename(users, agent["id"])

    eventually(lambda: _names(ops, agent["id"], assigned, escalated, note) == {name})
    # The tickets' history (assigned, escalated) names the user by the new name too.
    history = _history_values(ops, assigned, escalated, note)
    assert name in history and agent["display_name"] not in history


def test_a_rename_gives_a_ticket_naming_the_user_a_new_etag(users, ops):
    agent = users.create("support").user
    assigned = _assigned_to(ops, agent["id"])
    url = f"/api/v1/tickets/{assigned['id']}"
    before = ops.get(url).headers["ETag"]

    name = _rename(users, agent["id"])

    eventually(lambda: ops.get(url).json()["assignee"]["display_name"] == name)
    assert ops.get(url).headers["ETag"] != before


def test_an_older_version_arriving_late_changes_no_name(users, ops, cluster):
    agent = users.create("support").user
    assigned, escalated = _assigned_to(ops, agent["id"]), _escalated_to(ops, agent["id"])
    note = _note_owned_by(ops, agent["id"])
    name = _rename(users, agent["id"])
    eventually(lambda: _names(ops, agent["id"], assigned, escalated, note) == {name})

    # Version 1 is the user as created, before the rename (a delivery retried after the newer one).
    late = send_event(cluster, "user.updated", {"user_id": agent["id"], "version": 1,
                                                "display_name": agent["display_name"],
                                                "created_at": agent["created_at"]})  # fmt: skip

    assert late.status_code == 200 and late.json() == {"status": "processed"}, late.text
    assert _names(ops, agent["id"], assigned, escalated, note) == {name}


def test_a_user_assigned_after_a_rename_is_named_by_the_new_name(users, ops):
    agent = users.create("support").user
    _assigned_to(ops, agent["id"])
    name = _rename(users, agent["id"])

    later = _assigned_to(ops, agent["id"])

    assert later["assignee"] == {"id": agent["id"], "display_name": name}


def test_a_pseudonymised_user_is_no_longer_named_by_its_old_name(users, ops):
    agent = users.create("support").user
    assigned, escalated = _assigned_to(ops, agent["id"]), _escalated_to(ops, agent["id"])
    note = _note_owned_by(ops, agent["id"])

    erased = users.admin.post(f"/api/v1/users/{agent['id']}/pseudonymise", json={})

    assert erased.status_code == 200, erased.text
    placeholder = f"Erased user {agent['id']}"
    # Pseudonymising disables the user too: its open tickets and follow-ups are released, each release
    # recorded under the placeholder name.
    eventually(lambda: _holders(ops, assigned, escalated) == {"assignee": set(), "escalated_to": set()})
    released = ops.get(f"/api/v1/tickets/{assigned['id']}").json()["history"][-1]
    assert (released["kind"], released["from_value"]) == ("assignee", placeholder)
    assert ops.get(f"/api/v1/shift-notes/{note['id']}").json()["follow_ups"][0]["owner"] == "delivery"
    handed_over = ops.get(f"/api/v1/shift-notes/{note['id']}/history").json()["items"][-1]
    assert (handed_over["field"], handed_over["from_value"]) == ("owner", placeholder)
    # Nor does any history row name it: the assignment, the escalation and the handover to the team
    # were recorded under the old name and now read the placeholder.
    values = _history_values(ops, assigned, escalated, note)
    assert agent["display_name"] not in values and placeholder in values


def _history_values(client: httpx.Client, *tickets_and_note: dict) -> set[str | None]:
    *tickets, note = tickets_and_note
    rows = [e for t in tickets for e in client.get(f"/api/v1/tickets/{t['id']}").json()["history"]]
    rows += client.get(f"/api/v1/shift-notes/{note['id']}/history").json()["items"]
    return {row[key] for row in rows for key in ("from_value", "to_value")}


def _holders(client: httpx.Client, *tickets: dict) -> dict[str, set[int]]:
    """Who the tickets are assigned and escalated to now (user ids)."""
    read = [client.get(f"/api/v1/tickets/{t['id']}").json() for t in tickets]
    return {
        role: {t[role]["id"] for t in read if t[role] is not None} for role in ("assignee", "escalated_to")
    }


def test_a_disabled_user_holds_no_open_ticket_and_the_history_says_why(users, ops):
    agent, colleague = users.create("support").user, users.create("support").user
    assigned, escalated = _assigned_to(ops, agent["id"]), _escalated_to(ops, agent["id"])
    resolved = _assigned_to(ops, agent["id"])
    moved = ops.post(f"/api/v1/tickets/{resolved['id']}/transitions", json={"to": "resolved"})
    someone_elses = _assigned_to(ops, colleague["id"])
    assert moved.status_code == 200, moved.text

    disabled = users.admin.patch(f"/api/v1/users/{agent['id']}", json={"disabled": True})

    assert disabled.status_code == 200, disabled.text
    eventually(lambda: _holders(ops, assigned, escalated) == {"assignee": set(), "escalated_to": set()})
    # A resolved ticket keeps who resolved it; another agent's ticket is untouched.
    assert _holders(ops, resolved, someone_elses)["assignee"] == {agent["id"], colleague["id"]}
    history = ops.get(f"/api/v1/tickets/{escalated['id']}").json()["history"]
    assert [(e["kind"], e["from_value"], e["note"], e["actor"]) for e in history[-2:]] == [
        ("assignee", agent["display_name"], "user disabled", "service:gateway"),
        ("escalation_lead", agent["display_name"], "user disabled", "service:gateway"),
    ]
    still_escalated = ops.get("/api/v1/tickets", params={"escalated": "true", "limit": 200}).json()["items"]
    assert escalated["id"] in {t["id"] for t in still_escalated}
    url = f"/api/v1/tickets/{assigned['id']}"
    taken_over = ops.patch(
        url, json={"assignee_id": colleague["id"]}, headers={"If-Match": ops.get(url).headers["ETag"]}
    )
    assert taken_over.status_code == 200 and taken_over.json()["assignee"]["id"] == colleague["id"]


def test_a_deleted_user_holds_no_open_ticket(users, ops):
    agent = users.create("support").user
    assigned = _assigned_to(ops, agent["id"])

    deleted = users.admin.delete(f"/api/v1/users/{agent['id']}")

    assert deleted.status_code == 204, deleted.text
    eventually(lambda: _holders(ops, assigned) == {"assignee": set(), "escalated_to": set()})
    released = ops.get(f"/api/v1/tickets/{assigned['id']}").json()["history"][-1]
    assert (released["kind"], released["note"]) == ("assignee", "user deleted")


def _follow_up(client: httpx.Client, note: dict) -> dict:
    return client.get(f"/api/v1/shift-notes/{note['id']}").json()["follow_ups"][0]


def test_a_disabled_or_deleted_users_open_follow_ups_fall_to_the_notes_team(users, ops):
    disabled, deleted = users.create("ops").user, users.create("ops").user
    open_one, gone_one = _note_owned_by(ops, disabled["id"]), _note_owned_by(ops, deleted["id"])
    done_one = _note_owned_by(ops, disabled["id"])
    done = edit_follow_up(ops, done_one["id"], _follow_up(ops, done_one)["id"], {"done": True})
    assert done.status_code == 200, done.text

    assert users.admin.patch(f"/api/v1/users/{disabled['id']}", json={"disabled": True}).status_code == 200
    assert users.admin.delete(f"/api/v1/users/{deleted['id']}").status_code == 204

    for note, user, cause in ((open_one, disabled, "user disabled"), (gone_one, deleted, "user deleted")):
        follow_up = eventually(lambda note=note: (f := _follow_up(ops, note))["owner_id"] is None and f)
        assert (follow_up["owner"], follow_up["version"]) == ("delivery", 2)
        change = ops.get(f"/api/v1/shift-notes/{note['id']}/history").json()["items"][-1]
        assert (change["field"], change["from_value"], change["to_value"], change["actor"]) == (
            "owner", user["display_name"], "delivery", f"service:gateway ({cause})"
        )  # fmt: skip
    # Done is done: it keeps who owned it.
    assert _follow_up(ops, done_one)["owner_id"] == disabled["id"]


def test_a_late_disabled_event_leaves_a_user_enabled_again_with_its_tickets(users, ops, cluster):
    agent = users.create("support").user
    assigned = _assigned_to(ops, agent["id"])
    name = _rename(users, agent["id"])  # version 2
    eventually(
        lambda: ops.get(f"/api/v1/tickets/{assigned['id']}").json()["assignee"]["display_name"] == name
    )

    # Version 1 said "disabled" (a delivery retried after the newer one): the user is enabled now.
    late = send_event(cluster, "user.updated", {"user_id": agent["id"], "version": 1, "display_name": name,
                                                "disabled": True, "created_at": agent["created_at"]})  # fmt: skip

    assert late.status_code == 200 and late.json() == {"status": "processed"}, late.text
    assert _holders(ops, assigned)["assignee"] == {agent["id"]}


def test_a_user_created_later_under_a_deleted_users_id_is_another_user(users, ops, cluster):
    """SQLite gives a new row the id of the deleted last one: the newer user's version 1 outranks the
    deleted user's last version, and an event of the deleted user arriving late changes nothing."""
    agent = users.create("support").user
    assigned = _assigned_to(ops, agent["id"])
    created = datetime.fromisoformat(agent["created_at"])
    later = (created + timedelta(minutes=5)).isoformat()

    gone = send_event(cluster, "user.deleted", {"user_id": agent["id"], "version": 4, "created_at": agent["created_at"],
                                                "display_name": agent["display_name"]})  # fmt: skip
    newcomer = send_event(cluster, "user.updated", {"user_id": agent["id"], "version": 1, "created_at": later,
                                                    "display_name": "Newcomer"})  # fmt: skip
    stale = send_event(cluster, "user.updated", {"user_id": agent["id"], "version": 3,
                                                 "created_at": agent["created_at"], "display_name": "Old name"})  # fmt: skip

    assert [r.status_code for r in (gone, newcomer, stale)] == [200, 200, 200]
    read = ops.get(f"/api/v1/tickets/{assigned['id']}").json()
    assert read["assignee"] is None  # released when the first user was deleted
    assert read["history"][-1]["from_value"] == agent["display_name"]
    # Its history keeps the deleted user's name: the newer user's name reaches no row of it.
    assert "Newcomer" not in {e[key] for e in read["history"] for key in ("from_value", "to_value")}
    # The gateway still answers with the first user here (the deletion was only told): the newer user's
    # name stands against it, and against the first user's version 3 that came late.
    theirs = _assigned_to(ops, agent["id"])
    assert theirs["assignee"]["display_name"] == "Newcomer"
    # The first user's deletion told again (a retried delivery) releases nothing of the newer user's.
    again = send_event(cluster, "user.deleted", {"user_id": agent["id"], "version": 4, "created_at": agent["created_at"],
                                                 "display_name": agent["display_name"]})  # fmt: skip
    assert again.status_code == 200 and _holders(ops, theirs)["assignee"] == {agent["id"]}


def test_the_event_carries_the_user_by_id_name_and_version_without_the_email(users, databases):
    agent = users.create("support").user

    name = _rename(users, agent["id"])

    rows = query(
        databases.urls["gateway"],
        "SELECT destination, payload FROM event_outbox WHERE event_type = 'user.updated' ORDER BY id",
    )
    payloads = [(r["destination"], r["payload"] if isinstance(r["payload"], dict) else json.loads(r["payload"]))
                for r in rows]  # fmt: skip
    [(destination, payload)] = [(d, p) for d, p in payloads if p["user_id"] == agent["id"]]
    assert destination == "contributors"
    assert datetime.fromisoformat(payload.pop("created_at")) == datetime.fromisoformat(agent["created_at"])
    assert payload == {"user_id": agent["id"], "version": 2, "display_name": name, "roles": ["support"],
                       "disabled": False}  # fmt: skip
    assert agent["email"] not in json.dumps(payload)


def test_a_user_updated_without_a_name_is_refused_and_changes_nothing(users, ops, cluster):
    agent = users.create("support").user
    assigned = _assigned_to(ops, agent["id"])

    refused = send_event(cluster, "user.updated", {"user_id": agent["id"], "version": 9, "display_name": ""})

    assert refused.status_code == 422, refused.text
    assert (
        ops.get(f"/api/v1/tickets/{assigned['id']}").json()["assignee"]["display_name"]
        == agent["display_name"]
    )
