"""Erasure reaches other people's free text: shift notes and their follow-ups that mention the person."""

from __future__ import annotations

from tests.services.contributors.support import new_contributor


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
