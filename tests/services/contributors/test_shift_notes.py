"""Shift notes, the service in process: staff write them for a team's next shift, follow-ups get done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.services.contributors.support import edit_follow_up
from tests.support.databases import BACKEND

PROBLEM = "application/problem+json"


def write_note(client, **overrides):
    body = {
        "team": "community_leads",
        "subject": "Discord outage",
        "body": "Discord was down 02:00–02:40; announce the new office hours.",
        "follow_ups": [{"description": "Post office hours", "owner": "Maya"}],
        **overrides,
    }
    response = client.post("/api/v1/shift-notes", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_note_is_written_by_the_caller_for_a_team_with_owned_follow_ups(ops):
    due = (datetime.now(UTC) + timedelta(hours=4)).isoformat()

    note = write_note(
        ops,
        team="delivery",
        follow_ups=[
            {"description": "Check the OCR queue depth", "owner": "Jon", "due_at": due},
            {"description": "Brief the vendor on guidelines v3", "owner": "Ana"},
        ],
    )

    assert note["team"] == "delivery" and note["author"] == f"user:{ops.user['id']}"
    assert [(f["owner"], f["done"]) for f in note["follow_ups"]] == [("Jon", False), ("Ana", False)]
    assert datetime.fromisoformat(note["follow_ups"][0]["due_at"]) == datetime.fromisoformat(due)
    assert ops.get(f"/api/v1/shift-notes/{note['id']}").json() == note


def test_marking_a_follow_up_done_records_who_and_when_and_reopening_clears_it(ops, users):
    note = write_note(ops)
    follow_up = note["follow_ups"][0]
    other = users.create("support")

    done = edit_follow_up(other, note["id"], follow_up["id"], {"done": True})
    again = edit_follow_up(ops, note["id"], follow_up["id"], {"done": True})
    reopened = edit_follow_up(ops, note["id"], follow_up["id"], {"done": False})

    assert done.status_code == 200 and done.json()["done"] is True
    assert done.json()["done_by"] == f"user:{other.user['id']}" and done.json()["done_at"] is not None
    assert again.json()["done_by"] == done.json()["done_by"]  # the first record stands
    assert reopened.json()["done"] is False and reopened.json()["done_at"] is None


def test_the_list_filters_by_team_and_time_and_pages_with_a_cursor(ops):
    start = datetime.now(UTC) - timedelta(seconds=1)
    written = [write_note(ops, team="training", subject=f"note {i}") for i in range(3)]
    write_note(ops, team="relationship_managers")
    params = {"team": "training", "since": start.isoformat(), "sort": "id", "limit": 2}

    first = ops.get("/api/v1/shift-notes", params=params).json()
    second = ops.get("/api/v1/shift-notes", params={**params, "cursor": first["next_cursor"]}).json()
    later = ops.get("/api/v1/shift-notes", params={**params, "since": datetime.now(UTC).isoformat()}).json()

    assert [n["id"] for n in first["items"] + second["items"]] == [n["id"] for n in written]
    assert second["next_cursor"] is None and later["items"] == []


def test_bad_input_is_a_422_naming_the_field(ops):
    unknown_team = ops.post(
        "/api/v1/shift-notes", json={"team": "night_owls", "subject": "x", "body": "y", "follow_ups": []}
    )
    extra = ops.post("/api/v1/shift-notes", json={"team": "delivery", "subject": "x", "body": "y", "pin": 1})
    bad_since = ops.get("/api/v1/shift-notes", params={"since": "yesterday"})
    now = datetime.now(UTC)
    reversed_window = ops.get(
        "/api/v1/shift-notes", params={"since": now.isoformat(), "until": now.isoformat()}
    )

    assert unknown_team.status_code == 422 and unknown_team.headers["content-type"] == PROBLEM
    assert unknown_team.json()["errors"][0]["field"] == "team"
    assert extra.status_code == 422 and extra.json()["errors"][0]["field"] == "pin"
    assert bad_since.status_code == 422 and bad_since.json()["errors"][0]["field"] == "since"
    assert reversed_window.status_code == 422 and reversed_window.json()["errors"][0]["field"] == "since"


def test_a_follow_up_of_another_note_is_not_found(ops):
    first, second = write_note(ops), write_note(ops)

    follow_up = first["follow_ups"][0]
    response = ops.patch(
        f"/api/v1/shift-notes/{second['id']}/follow-ups/{follow_up['id']}",
        json={"done": True},
        headers={"If-Match": f'"{follow_up["id"]}-{follow_up["version"]}"'},
    )

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["contributor", "vendor", "integration"])
def test_contributors_and_vendors_never_see_shift_notes(role, ops, users):
    note = write_note(ops)
    outsider = users.create(role, vendor_id=7, contributor_id=8)

    assert outsider.get("/api/v1/shift-notes").status_code == 403
    assert outsider.get(f"/api/v1/shift-notes/{note['id']}").status_code == 403
    assert outsider.post("/api/v1/shift-notes", json={}).status_code == 403


def test_analysts_read_notes_but_do_not_write_them(ops, users):
    note = write_note(ops)
    analyst = users.create("analyst")

    assert analyst.get(f"/api/v1/shift-notes/{note['id']}").status_code == 200
    assert analyst.post("/api/v1/shift-notes", json={}).status_code == 403
    assert edit_follow_up(analyst, note["id"], note["follow_ups"][0]["id"], {"done": True}).status_code == 403


def test_a_nul_character_in_a_note_is_refused_where_the_database_cannot_store_it(ops):
    response = ops.post(
        "/api/v1/shift-notes",
        json={"team": "delivery", "subject": "handover", "body": "before\u0000after", "follow_ups": []},
    )

    if BACKEND == "postgresql":  # PostgreSQL text holds no NUL: a clear 422, never a 500
        assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    else:
        assert response.status_code == 201
        assert response.json()["body"] == "before\u0000after"


def test_a_follow_ups_text_and_due_time_are_edited_and_each_change_is_recorded(ops, users):
    note = write_note(ops)
    follow_up = note["follow_ups"][0]
    editor = users.create("support")
    due = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)

    edited = edit_follow_up(
        editor,
        note["id"],
        follow_up["id"],
        {"description": "Post the new office hours", "due_at": due.isoformat()},
    )
    cleared = edit_follow_up(editor, note["id"], follow_up["id"], {"due_at": None})
    history = ops.get(f"/api/v1/shift-notes/{note['id']}/history").json()["items"]

    assert edited.status_code == 200, edited.text
    assert edited.json()["description"] == "Post the new office hours"
    assert datetime.fromisoformat(edited.json()["due_at"]) == due and edited.json()["owner"] == "Maya"
    assert cleared.json()["due_at"] is None
    assert [(c["field"], c["from_value"], c["to_value"]) for c in history] == [
        ("description", "Post office hours", "Post the new office hours"),
        ("due_at", None, due.isoformat()),
        ("due_at", due.isoformat(), None),
    ]
    assert {c["actor"] for c in history} == {f"user:{editor.user['id']}"}


def test_done_and_reopened_are_in_the_history_and_an_unchanged_value_is_not(ops):
    note = write_note(ops)
    follow_up_id = note["follow_ups"][0]["id"]

    edit_follow_up(ops, note["id"], follow_up_id, {"done": True})
    edit_follow_up(ops, note["id"], follow_up_id, {"done": True, "description": "Post office hours"})
    edit_follow_up(ops, note["id"], follow_up_id, {"done": False})
    history = ops.get(f"/api/v1/shift-notes/{note['id']}/history").json()["items"]

    assert [c["field"] for c in history] == ["done", "reopened"]


def test_a_follow_up_is_added_to_a_note_already_written(ops):
    note = write_note(ops)

    added = ops.post(
        f"/api/v1/shift-notes/{note['id']}/follow-ups",
        json={"description": "Call the vendor back", "owner": "relationship managers"},
    )
    read = ops.get(f"/api/v1/shift-notes/{note['id']}").json()
    history = ops.get(f"/api/v1/shift-notes/{note['id']}/history").json()["items"]

    assert added.status_code == 201, added.text
    assert added.json()["owner"] == "relationship managers" and added.json()["owner_id"] is None
    assert [f["description"] for f in read["follow_ups"]] == ["Post office hours", "Call the vendor back"]
    assert [(c["field"], c["to_value"], c["actor"]) for c in history] == [
        ("added", "Call the vendor back", f"user:{ops.user['id']}")
    ]


def test_editing_nothing_or_nulling_the_text_is_a_422(ops):
    note = write_note(ops)
    follow_up_id = note["follow_ups"][0]["id"]

    empty = edit_follow_up(ops, note["id"], follow_up_id, {})
    null_text = edit_follow_up(ops, note["id"], follow_up_id, {"description": None})
    null_owner = edit_follow_up(ops, note["id"], follow_up_id, {"owner_id": None})

    assert (empty.status_code, null_text.status_code, null_owner.status_code) == (422, 422, 422)
    assert null_text.json()["errors"][0]["field"] == "description"


def test_a_follow_up_names_its_owner_once_by_id_or_by_name(ops):
    note = write_note(ops)
    path = f"/api/v1/shift-notes/{note['id']}/follow-ups"

    both = ops.post(path, json={"description": "x", "owner": "Maya", "owner_id": 3})
    neither = ops.post(path, json={"description": "x"})
    to_no_note = ops.post("/api/v1/shift-notes/999999/follow-ups", json={"description": "x", "owner": "Maya"})

    assert (both.status_code, neither.status_code, to_no_note.status_code) == (422, 422, 404)


def test_analysts_neither_add_nor_edit_follow_ups(ops, users):
    note = write_note(ops)
    analyst = users.create("analyst")

    added = analyst.post(
        f"/api/v1/shift-notes/{note['id']}/follow-ups", json={"description": "x", "owner": "Maya"}
    )
    edited = edit_follow_up(analyst, note["id"], note["follow_ups"][0]["id"], {"description": "x"})

    assert (added.status_code, edited.status_code) == (403, 403)
    assert analyst.get(f"/api/v1/shift-notes/{note['id']}/history").status_code == 200


def test_an_edit_names_the_version_it_read_so_concurrent_edits_are_not_lost(ops, users):
    note = write_note(ops)
    [follow_up] = note["follow_ups"]
    path = f"/api/v1/shift-notes/{note['id']}/follow-ups/{follow_up['id']}"
    read = {"If-Match": f'"{follow_up["id"]}-{follow_up["version"]}"'}

    unnamed = ops.patch(path, json={"description": "Post office hours today"})
    first = users.create("support").patch(path, json={"description": "Post office hours today"}, headers=read)
    second = ops.patch(path, json={"description": "Post office hours tomorrow"}, headers=read)
    unchanged = ops.patch(path, json={"done": False}, headers={"If-Match": first.headers["ETag"]})
    final = ops.get(f"/api/v1/shift-notes/{note['id']}").json()["follow_ups"][0]

    assert unnamed.status_code == 428 and unnamed.headers["content-type"] == PROBLEM
    assert first.status_code == 200 and first.json()["version"] == follow_up["version"] + 1
    assert first.headers["ETag"] == f'"{follow_up["id"]}-{follow_up["version"] + 1}"'
    assert second.status_code == 412 and second.headers["content-type"] == PROBLEM
    # Saving what is already there changes nothing, so the version the next editor holds stays good.
    assert unchanged.status_code == 200 and unchanged.headers["ETag"] == first.headers["ETag"]
    assert (final["description"], final["version"]) == ("Post office hours today", follow_up["version"] + 1)
