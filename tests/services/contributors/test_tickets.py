"""Support tickets, the service in process: creation, thread, first response, status machine, escalation, filters."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.services.contributors.support import PROBLEM, new_contributor


@pytest.fixture(scope="module")
def agent(users):
    return users.create("support")


@pytest.fixture(scope="module")
def person(agent, users):
    created = new_contributor(agent)
    return {"contributor": created, "client": users.create("contributor", contributor_id=created["id"])}


def open_ticket(client, **overrides):
    body = {
        "channel": "discord",
        "category": "payment",
        "subject": "Missing payout",
        "body": "My payout is late.",
        **overrides,
    }
    response = client.post("/api/v1/tickets", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_support_logs_a_ticket_with_due_times_from_the_sla_policy_of_its_priority(agent, person):
    ticket = open_ticket(agent, contributor_id=person["contributor"]["id"], priority="P2")

    created = _dt(ticket["created_at"])
    assert ticket["contributor_id"] == person["contributor"]["id"]
    assert (ticket["status"], ticket["priority"], ticket["channel"], ticket["category"]) == (
        "open",
        "P2",
        "discord",
        "payment",
    )
    assert _dt(ticket["first_response_due"]) - created == timedelta(hours=4)
    assert _dt(ticket["resolution_due"]) - created == timedelta(hours=24)
    assert ticket["overdue"] is False and ticket["sla_breaches"] == []
    assert ticket["first_response_at"] is None


def test_priority_defaults_to_p3(person):
    ticket = open_ticket(person["client"])

    assert ticket["priority"] == "P3"
    assert _dt(ticket["first_response_due"]) - _dt(ticket["created_at"]) == timedelta(hours=8)


def test_a_contributor_cannot_open_a_ticket_for_someone_else(person, agent):
    other = new_contributor(agent)

    response = person["client"].post(
        "/api/v1/tickets",
        json={
            "contributor_id": other["id"],
            "channel": "web",
            "category": "access",
            "subject": "x",
            "body": "y",
        },
    )

    assert response.status_code == 403


def test_staff_log_a_ticket_for_an_unknown_requester_by_contact(agent):
    ticket = open_ticket(
        agent, requester_name="nightowl#2231", requester_contact="nightowl#2231", channel="discord"
    )

    assert ticket["contributor_id"] is None and ticket["requester_contact"] == "nightowl#2231"


def test_staff_need_a_contributor_or_a_contact(agent):
    response = agent.post(
        "/api/v1/tickets", json={"channel": "email", "category": "other", "subject": "?", "body": "?"}
    )

    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/requester_contact"


@pytest.mark.parametrize(
    "overrides",
    [
        {"channel": "fax"},
        {"category": "gossip"},
        {"priority": "P5"},
        {"subject": ""},
        {"body": "x" * 10_001},
        {"contributor_id": 987654321},
        {"unexpected": True},
    ],
)
def test_bad_ticket_fields_are_422(agent, overrides):
    body = {
        "channel": "web",
        "category": "other",
        "subject": "s",
        "body": "b",
        "requester_contact": "a@b.org",
    }

    response = agent.post("/api/v1/tickets", json={**body, **overrides})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_first_response_is_the_first_staff_message_not_a_contributor_reply_or_internal_note(person, agent):
    ticket = open_ticket(person["client"])
    url = f"/api/v1/tickets/{ticket['id']}"

    person["client"].post(f"{url}/messages", json={"body": "any news?"})
    agent.post(f"{url}/messages", json={"body": "checking with finance", "internal": True})
    before = agent.get(url).json()
    reply = agent.post(f"{url}/messages", json={"body": "Your payout went out today."})
    after = agent.get(url).json()

    assert before["first_response_at"] is None
    assert reply.status_code == 201 and reply.json()["author_kind"] == "staff"
    assert after["first_response_at"] == reply.json()["created_at"]
    assert after["first_response_seconds"] == pytest.approx(
        (_dt(reply.json()["created_at"]) - _dt(ticket["created_at"])).total_seconds()
    )


def test_the_contributor_never_sees_internal_notes(person, agent):
    ticket = open_ticket(person["client"])
    url = f"/api/v1/tickets/{ticket['id']}/messages"
    agent.post(url, json={"body": "staff-only remark", "internal": True})
    agent.post(url, json={"body": "public answer"})

    mine = [m["body"] for m in person["client"].get(url).json()["items"]]
    staff = [m["body"] for m in agent.get(url).json()["items"]]
    forbidden = person["client"].post(url, json={"body": "sneaky", "internal": True})

    assert mine == ["My payout is late.", "public answer"]
    assert staff == ["My payout is late.", "staff-only remark", "public answer"]
    assert forbidden.status_code == 403


def test_the_status_machine_refuses_skipping_resolution(agent, person):
    ticket = open_ticket(person["client"])

    response = agent.post(f"/api/v1/tickets/{ticket['id']}/transitions", json={"to": "closed"})

    assert response.status_code == 409
    assert response.json()["allowed"] == ["in_progress", "resolved", "waiting"]


def test_waiting_pauses_the_resolution_clock_and_a_contributor_reply_resumes_work(agent, person):
    ticket = open_ticket(person["client"])
    url = f"/api/v1/tickets/{ticket['id']}"

    agent.post(f"{url}/transitions", json={"to": "in_progress"})
    waiting = agent.post(
        f"{url}/transitions", json={"to": "waiting", "note": "asked for the invoice number"}
    ).json()
    person["client"].post(f"{url}/messages", json={"body": "INV-123"})
    resumed = agent.get(url).json()

    assert waiting["status"] == "waiting" and waiting["waiting_since"] is not None
    assert resumed["status"] == "in_progress" and resumed["waiting_since"] is None
    assert _dt(resumed["resolution_due"]) - _dt(ticket["resolution_due"]) == timedelta(
        seconds=resumed["waiting_seconds"]
    )
    assert [h["kind"] for h in resumed["history"]] == ["created", "status", "status", "status"]
    assert resumed["history"][-1]["note"] == "contributor replied"


def test_resolve_reopen_and_close(agent, person):
    ticket = open_ticket(person["client"])
    url = f"/api/v1/tickets/{ticket['id']}"

    resolved = agent.post(f"{url}/transitions", json={"to": "resolved"}).json()
    person["client"].post(f"{url}/messages", json={"body": "still broken"})
    reopened = agent.get(url).json()
    agent.post(f"{url}/transitions", json={"to": "resolved"})
    closed = agent.post(f"{url}/transitions", json={"to": "closed"}).json()
    late_reply = person["client"].post(f"{url}/messages", json={"body": "one more thing"})

    assert resolved["resolved_at"] is not None
    assert reopened["status"] == "in_progress" and reopened["resolved_at"] is None
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    assert late_reply.status_code == 409


def test_escalation_needs_a_lead_and_a_reason(agent, person):
    ticket = open_ticket(person["client"])

    response = agent.post(f"/api/v1/tickets/{ticket['id']}/escalate", json={"lead_id": 5})

    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/reason"


def test_update_reprioritises_with_if_match(agent, person):
    ticket = open_ticket(agent, contributor_id=person["contributor"]["id"], priority="P4")
    url = f"/api/v1/tickets/{ticket['id']}"

    missing = agent.patch(url, json={"priority": "P2"})
    updated = agent.patch(url, json={"priority": "P2"}, headers={"If-Match": agent.get(url).headers["etag"]})
    stale = agent.patch(url, json={"priority": "P1"}, headers={"If-Match": f'"{ticket["id"]}-1"'})

    assert missing.status_code == 428
    assert updated.status_code == 200 and updated.json()["priority"] == "P2"
    assert _dt(updated.json()["resolution_due"]) - _dt(ticket["created_at"]) == timedelta(hours=24)
    assert stale.status_code == 412


def test_filters_find_tickets_by_status_priority_channel_category(agent, person):
    a = open_ticket(
        agent, contributor_id=person["contributor"]["id"], channel="email", category="access", priority="P1"
    )
    b = open_ticket(
        agent, contributor_id=person["contributor"]["id"], channel="chat", category="technical", priority="P4"
    )
    agent.post(f"/api/v1/tickets/{b['id']}/transitions", json={"to": "in_progress"})

    def ids(**params):
        response = agent.get(
            "/api/v1/tickets", params={"contributor_id": person["contributor"]["id"], "limit": 500, **params}
        )
        assert response.status_code == 200, response.text
        return {t["id"] for t in response.json()["items"]}

    assert {a["id"], b["id"]} <= ids()
    assert a["id"] in ids(channel="email") and b["id"] not in ids(channel="email")
    assert b["id"] in ids(category="technical") and a["id"] not in ids(category="technical")
    assert a["id"] in ids(priority=["P1", "P2"]) and b["id"] not in ids(priority="P1")
    assert b["id"] in ids(status="in_progress") and a["id"] not in ids(status="in_progress")
    assert {a["id"], b["id"]} <= ids(unassigned=True)
    assert {a["id"], b["id"]} <= ids(overdue=False) and not ({a["id"], b["id"]} & ids(overdue=True))


@pytest.mark.parametrize(
    "params",
    [{"status": "pending"}, {"priority": "P0"}, {"channel": "fax"}, {"overdue": "maybe"}, {"sort": "mood"}],
)
def test_bad_ticket_filters_are_422(agent, params):
    assert agent.get("/api/v1/tickets", params=params).status_code == 422


def test_a_reversed_creation_window_is_a_422_naming_its_start(agent):
    window = {"created_since": "2026-02-01T00:00:00Z", "created_until": "2026-01-01T00:00:00Z"}

    response = agent.get("/api/v1/tickets", params=window)

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/created_since"


def test_a_contributor_sees_only_its_own_tickets(agent, person, users):
    other = new_contributor(agent)
    others_ticket = open_ticket(users.create("contributor", contributor_id=other["id"]))
    mine = open_ticket(person["client"])

    listed = {t["id"] for t in person["client"].get("/api/v1/tickets", params={"limit": 500}).json()["items"]}
    direct = person["client"].get(f"/api/v1/tickets/{others_ticket['id']}")
    reply = person["client"].post(f"/api/v1/tickets/{others_ticket['id']}/messages", json={"body": "hi"})

    assert mine["id"] in listed and others_ticket["id"] not in listed
    assert direct.status_code == 404 and reply.status_code == 404


def test_contributors_and_analysts_cannot_manage_tickets(person, users):
    ticket = open_ticket(person["client"])
    analyst = users.create("analyst")

    assert (
        person["client"]
        .post(f"/api/v1/tickets/{ticket['id']}/transitions", json={"to": "resolved"})
        .status_code
        == 403
    )
    assert analyst.get(f"/api/v1/tickets/{ticket['id']}").status_code == 200
    assert analyst.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "hello"}).status_code == 403
    assert person["client"].get("/api/v1/tickets/sla-breaches").status_code == 403
