"""Ticket SLAs as time passes: overdue, the breach list, the waiting clock, the breach metric.

The contributors service in process, on a database of its own, whose P4 policy is seconds long
(LABELOPS_CONTRIBUTORS_TICKET_SLA), so targets really expire during the test instead of being faked.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest

from tests.support.waiting import eventually

FIRST_RESPONSE_SECONDS, RESOLUTION_SECONDS = 4, 8
# How often the service's background loop counts new breaches into the metrics.
BREACH_SWEEP_SECONDS = 0.5


@pytest.fixture(scope="module")
def contributors(service_in_process):
    policy = {
        "P4": {"first_response": f"PT{FIRST_RESPONSE_SECONDS}S", "resolution": f"PT{RESOLUTION_SECONDS}S"}
    }
    return service_in_process(
        "contributors", ticket_sla=policy, ticket_sla_sweep_seconds=BREACH_SWEEP_SECONDS
    )


@pytest.fixture(scope="module")
def agent(contributors):
    return contributors.as_role("support")


def _ticket(agent, **overrides) -> dict:
    body = {
        "channel": "chat",
        "category": "technical",
        "priority": "P4",
        "subject": "tool crashes",
        "body": "The labeling tool crashes on save.",
        "requester_contact": "someone@example.org",
        **overrides,
    }
    response = agent.post("/api/v1/tickets", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _get(agent, ticket) -> dict:
    return agent.get(f"/api/v1/tickets/{ticket['id']}").json()


def _ids(agent, path="/api/v1/tickets", **params) -> set[int]:
    response = agent.get(path, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return {t["id"] for t in response.json()["items"]}


def _past(moment: str) -> bool:
    return datetime.fromisoformat(moment) < datetime.now(datetime.fromisoformat(moment).tzinfo)


@pytest.fixture(scope="module")
def tickets(agent):
    """Four P4 tickets, set up within the first-response target, inspected after both targets passed."""
    unanswered = _ticket(agent)
    answered = _ticket(agent)
    agent.post(f"/api/v1/tickets/{answered['id']}/messages", json={"body": "We are on it."})
    waiting = _ticket(agent)
    agent.post(f"/api/v1/tickets/{waiting['id']}/messages", json={"body": "Which browser?"})
    agent.post(f"/api/v1/tickets/{waiting['id']}/transitions", json={"to": "waiting"})
    resolved = _ticket(agent)
    agent.post(f"/api/v1/tickets/{resolved['id']}/messages", json={"body": "Fixed, please retry."})
    agent.post(f"/api/v1/tickets/{resolved['id']}/transitions", json={"to": "resolved"})
    eventually(lambda: _past(unanswered["resolution_due"]) and _past(answered["resolution_due"]), timeout=30)
    return {"unanswered": unanswered, "answered": answered, "waiting": waiting, "resolved": resolved}


def test_the_configured_policy_sets_the_due_times(tickets):
    ticket = tickets["unanswered"]
    created = datetime.fromisoformat(ticket["created_at"])

    assert (
        datetime.fromisoformat(ticket["first_response_due"]) - created
    ).total_seconds() == FIRST_RESPONSE_SECONDS
    assert (datetime.fromisoformat(ticket["resolution_due"]) - created).total_seconds() == RESOLUTION_SECONDS


def test_an_unanswered_ticket_is_overdue_and_breached_both_targets(agent, tickets):
    ticket = _get(agent, tickets["unanswered"])

    assert ticket["overdue"] is True
    assert ticket["sla_breaches"] == ["first_response", "resolution"]


def test_an_answered_but_unresolved_ticket_breaches_resolution_only(agent, tickets):
    ticket = _get(agent, tickets["answered"])

    assert ticket["overdue"] is True and ticket["sla_breaches"] == ["resolution"]


def test_waiting_on_the_contributor_stops_the_resolution_clock(agent, tickets):
    ticket = _get(agent, tickets["waiting"])

    assert ticket["overdue"] is False and ticket["sla_breaches"] == []


def test_a_ticket_resolved_in_time_is_neither_overdue_nor_breached(agent, tickets):
    ticket = _get(agent, tickets["resolved"])

    assert ticket["overdue"] is False and ticket["sla_breaches"] == []


def test_the_overdue_filter_and_the_breach_list(agent, tickets):
    ids = {name: t["id"] for name, t in tickets.items()}

    overdue = _ids(agent, overdue=True)
    not_overdue = _ids(agent, overdue=False)
    breaches = _ids(agent, "/api/v1/tickets/sla-breaches")
    first_response = _ids(agent, "/api/v1/tickets/sla-breaches", kind="first_response")

    assert {ids["unanswered"], ids["answered"]} <= overdue
    assert {ids["waiting"], ids["resolved"]} <= not_overdue and not (overdue & not_overdue)
    assert {ids["unanswered"], ids["answered"]} <= breaches
    assert not ({ids["waiting"], ids["resolved"]} & breaches)
    assert ids["unanswered"] in first_response and ids["answered"] not in first_response


def test_a_late_first_response_stays_a_breach_after_the_answer(agent, tickets):
    ticket = tickets["unanswered"]

    agent.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Sorry for the wait."})
    answered = _get(agent, ticket)

    assert "first_response" in answered["sla_breaches"]
    assert answered["first_response_seconds"] > FIRST_RESPONSE_SECONDS


def test_each_breach_is_counted_once_in_the_metrics(contributors, tickets):
    scraper = contributors.anonymous()

    def counted(text: str, kind: str) -> float:
        pattern = rf'labelops_ticket_sla_breaches_total{{kind="{kind}",priority="P4"}} ([0-9.e+]+)'
        match = re.search(pattern, text)
        return float(match.group(1)) if match else 0.0

    def all_counted() -> str | None:
        text = scraper.get("/metrics").text
        return text if counted(text, "first_response") >= 1 and counted(text, "resolution") >= 2 else None

    first = eventually(all_counted, timeout=10)
    # Several more passes of the loop, and scrapes in between: none counts a breach again.
    for _ in range(3):
        time.sleep(BREACH_SWEEP_SECONDS)
        scraper.get("/metrics")
    second = scraper.get("/metrics").text

    assert counted(second, "first_response") == counted(first, "first_response")
    assert counted(second, "resolution") == counted(first, "resolution")
    assert 'labelops_tickets_open{priority="P4",status="waiting"} 1.0' in second
