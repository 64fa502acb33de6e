"""The shift desk's notes in the real console beside the test cluster: a note written on the desk opens on
its own page, where the shift adds follow-ups, edits their text, owner and due time (on the viewer's
clock) and marks them done, every form with the session's CSRF token, every change recorded by the API."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.support.api import Users
from tests.support.cluster import Cluster, ServiceProcess
from tests.support.console import running_console

PASSWORD = "console-notes-password-1"


@pytest.fixture(scope="module")
def console(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    with running_console(cluster, tmp_path_factory.mktemp("console-notes")) as process:
        yield process


def _staff(admin: httpx.Client, role: str) -> dict:
    email = f"notes-{uuid.uuid4().hex[:8]}@example.org"
    response = admin.post("/api/v1/users", json={"email": email, "password": PASSWORD, "roles": [role]})
    assert response.status_code == 201, response.text
    return response.json()


def _signed_in(console: ServiceProcess, email: str) -> tuple[httpx.Client, str]:
    """A browser in Berlin signed in to the console, and its session's CSRF token."""
    browser = httpx.Client(base_url=console.url, cookies={"labelops_tz": "Europe/Berlin"}, timeout=30.0)
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text).group(1)
    signed = browser.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert signed.status_code == 303, signed.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/desk").text).group(1)
    return browser, token


def test_the_shift_writes_a_note_then_adds_edits_and_closes_its_follow_ups(
    console: ServiceProcess, users: Users, admin: httpx.Client
):
    me, colleague = _staff(admin, "ops"), _staff(admin, "support")
    browser, csrf = _signed_in(console, me["email"])

    written = browser.post(
        "/desk/notes",
        data={"csrf_token": csrf, "team": "delivery", "subject": "OCR queue doubled", "body": "Watch it."},
    )
    note_path = written.headers["location"]
    note_id = int(note_path.rsplit("/", 1)[1])
    added = browser.post(
        f"{note_path}/follow-ups",
        data={"csrf_token": csrf, "description": "Check the depth", "owner_id": me["id"],
              "due_local": "2026-12-08T09:30"},
    )  # fmt: skip
    follow_up = admin.get(f"/api/v1/shift-notes/{note_id}").json()["follow_ups"][0]
    page = browser.get(note_path)
    edited = browser.post(
        f"{note_path}/follow-ups/{follow_up['id']}",
        data={"csrf_token": csrf, "description": "Check the depth at 10:00", "owner_id": colleague["id"],
              "due_local": "2026-12-08T09:30", "due_shown": "2026-12-08T09:30",
              "version": _shown_version(page.text, follow_up["id"])},
    )  # fmt: skip
    done = browser.post(
        f"{note_path}/follow-ups/{follow_up['id']}/done",
        data={"csrf_token": csrf, "done": "true",
              "version": _shown_version(browser.get(note_path).text, follow_up["id"])},
    )  # fmt: skip
    after = admin.get(f"/api/v1/shift-notes/{note_id}").json()["follow_ups"][0]
    history = admin.get(f"/api/v1/shift-notes/{note_id}/history").json()["items"]
    final_page = browser.get(note_path)

    assert written.status_code == 303 and note_path.startswith("/desk/notes/")
    assert added.status_code == 303 and edited.status_code == 303 and done.status_code == 303
    # 09:30 on a Berlin clock in December is 08:30 UTC; the page shows it back on that clock.
    assert datetime.fromisoformat(follow_up["due_at"]) == datetime(2026, 12, 8, 8, 30, tzinfo=UTC)
    assert follow_up["owner_id"] == me["id"] and 'value="2026-12-08T09:30"' in page.text
    assert (after["description"], after["owner_id"], after["done"]) == (
        "Check the depth at 10:00",
        colleague["id"],
        True,
    )
    assert datetime.fromisoformat(after["due_at"]) == datetime(2026, 12, 8, 8, 30, tzinfo=UTC)
    assert [c["field"] for c in history] == ["added", "description", "owner", "done"]
    assert {c["actor"] for c in history} == {f"user:{me['id']}"}
    assert "Check the depth at 10:00" in final_page.text and colleague["display_name"] in final_page.text


def _shown_version(page: str, follow_up_id: int) -> str:
    """The version the page's forms for a follow-up send back (all of its forms carry the same one)."""
    card = page.split(f'id="follow-up-{follow_up_id}"', 1)[1].split("</section>", 1)[0]
    return re.search(r'name="version" value="(\d+)"', card).group(1)


def test_two_leads_editing_one_follow_up_do_not_overwrite_each_other_unseen(
    console: ServiceProcess, admin: httpx.Client
):
    first, second = (_signed_in(console, _staff(admin, "ops")["email"]) for _ in range(2))
    note = admin.post(
        "/api/v1/shift-notes",
        json={"team": "delivery", "subject": "s", "body": "b",
              "follow_ups": [{"description": "Call the vendor", "owner": "Maya"}]},
    ).json()  # fmt: skip
    path = f"/desk/notes/{note['id']}/follow-ups/{note['follow_ups'][0]['id']}"
    pages = [browser.get(f"/desk/notes/{note['id']}").text for browser, _ in (first, second)]

    saved = first[0].post(path, data={"csrf_token": first[1], "description": "Call the vendor at 9",
                                      "version": _shown_version(pages[0], note["follow_ups"][0]["id"])})  # fmt: skip
    stale = second[0].post(path, data={"csrf_token": second[1], "description": "Email the vendor",
                                       "version": _shown_version(pages[1], note["follow_ups"][0]["id"])})  # fmt: skip

    assert saved.status_code == 303
    assert stale.status_code == 412 and "changed since you read it" in stale.text
    assert admin.get(f"/api/v1/shift-notes/{note['id']}").json()["follow_ups"][0]["description"] == (
        "Call the vendor at 9"
    )


def test_a_follow_up_form_without_the_csrf_token_changes_nothing(
    console: ServiceProcess, admin: httpx.Client
):
    me = _staff(admin, "support")
    browser, csrf = _signed_in(console, me["email"])
    note = admin.post(
        "/api/v1/shift-notes",
        json={"team": "training", "subject": "s", "body": "b",
              "follow_ups": [{"description": "Keep me", "owner": "Maya"}]},
    ).json()  # fmt: skip
    path = f"/desk/notes/{note['id']}/follow-ups/{note['follow_ups'][0]['id']}"

    refused = browser.post(path, data={"description": "Changed"})
    forged = browser.post(path, data={"description": "Changed", "csrf_token": "guess"})

    assert (refused.status_code, forged.status_code) == (403, 403)
    assert admin.get(f"/api/v1/shift-notes/{note['id']}").json()["follow_ups"][0]["description"] == "Keep me"


def test_an_analyst_reads_a_note_without_its_forms(console: ServiceProcess, admin: httpx.Client):
    analyst = _staff(admin, "analyst")
    browser, _ = _signed_in(console, analyst["email"])
    note = admin.post(
        "/api/v1/shift-notes",
        json={"team": "training", "subject": "Read only", "body": "b",
              "follow_ups": [{"description": "Someone else's", "owner": "Maya"}]},
    ).json()  # fmt: skip

    page = browser.get(f"/desk/notes/{note['id']}")

    assert page.status_code == 200 and "Someone else&#39;s" in page.text
    assert "edit-follow-up" not in page.text and "add-follow-up" not in page.text


def test_a_bad_due_time_is_a_422_naming_the_field_not_an_error(console: ServiceProcess, admin: httpx.Client):
    me = _staff(admin, "ops")
    browser, csrf = _signed_in(console, me["email"])
    note = admin.post("/api/v1/shift-notes", json={"team": "training", "subject": "s", "body": "b"}).json()

    response = browser.post(
        f"/desk/notes/{note['id']}/follow-ups",
        data={"csrf_token": csrf, "description": "x", "owner_id": me["id"], "due_local": "tomorrow-ish"},
    )

    assert response.status_code == 422 and "due_local" in response.text
