"""Erasure through the gateway: afterwards no table of the contributors service holds the person's data."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.services.contributors.support import activate, move, new_contributor, outbox, submission
from tests.support.api import unique_email
from tests.support.sql import query
from tests.support.waiting import eventually


def every_row(url: str) -> dict[str, list[dict]]:
    """Every row of every table of the database, as text-ready dicts."""

    async def table_names() -> list[str]:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        finally:
            await engine.dispose()

    return {name: query(url, f'SELECT * FROM "{name}"') for name in asyncio.run(table_names())}


@pytest.fixture(scope="module")
def support(users):
    return users.create("support")


@pytest.fixture(scope="module")
def erased(support, users, cluster, databases):
    """A contributor with a life in this service (history, tickets, check-ins, exposure), then erased."""
    secrets = {
        "name": "Zephyrine Quillfeather",
        "email": unique_email("zephyrine.quill"),
        "reason_text": "moved to Lisbon with her partner Joaquim",
        "ticket_subject": "Payout to IBAN PT50000201231234567890154",
        "ticket_body": "Please pay Zephyrine at her new address Rua das Flores 12",
        "staff_reply": "Hello Zephyrine, we updated Rua das Flores 12",
        "requester_subject": "Discord user asks about Zephyrine's account",
        "check_in_note": "panic attacks since the gore project",
        "escalation": "Zephyrine threatened to post her payslip",
    }
    created = new_contributor(support, full_name=secrets["name"], email=secrets["email"])
    cid = created["id"]
    me = users.create("contributor", contributor_id=cid)
    activate(support, cid)
    move(support, cid, "paused", reason=secrets["reason_text"])
    own = me.post(
        "/api/v1/tickets",
        json={
            "channel": "email",
            "category": "payment",
            "subject": secrets["ticket_subject"],
            "body": secrets["ticket_body"],
        },
    ).json()
    support.post(f"/api/v1/tickets/{own['id']}/messages", json={"body": secrets["staff_reply"]})
    support.post(
        f"/api/v1/tickets/{own['id']}/escalate",
        json={"lead_id": users.create("ops").user["id"], "reason": secrets["escalation"]},
    )
    logged = support.post(
        "/api/v1/tickets",
        json={
            "channel": "discord",
            "category": "access",
            "subject": secrets["requester_subject"],
            "body": secrets["ticket_body"],
            "requester_name": secrets["name"],
            "requester_contact": secrets["email"].upper(),
        },
    ).json()
    me.post(
        f"/api/v1/contributors/{cid}/wellness/check-ins",
        json={"mood": 2, "stress": 4, "note": secrets["check_in_note"]},
    )
    submission(cluster, cid, severity="high", seconds=600, at=datetime.now(UTC) - timedelta(minutes=5))
    support.put(
        f"/api/v1/contributors/{cid}/qualifications/gore-review",
        json={"score": 80, "passed": True, "source": "exam"},
    )
    bystander = new_contributor(support, full_name="Unrelated Person")

    response = support.post(f"/api/v1/contributors/{cid}/erase")
    return {
        "id": cid,
        "response": response,
        "secrets": secrets,
        "tickets": (own["id"], logged["id"]),
        "bystander": bystander,
        "me": me,
    }


def test_erasure_answers_with_the_pseudonymised_offboarded_contributor(erased):
    body = erased["response"].json()

    assert erased["response"].status_code == 200
    assert body["erased_at"] is not None and body["status"] == "offboarded"
    assert body["email"].endswith("@invalid") and body["email"] != erased["secrets"]["email"]
    assert erased["secrets"]["name"] not in body["full_name"]


def test_no_table_holds_the_persons_data_afterwards(erased, databases):
    dump = json.dumps(every_row(databases.urls["contributors"]), default=str).lower()

    leaks = [name for name, text in erased["secrets"].items() if text.lower() in dump]
    fragments = [f for f in ("zephyrine", "quillfeather", "rua das flores", "joaquim", "iban") if f in dump]
    assert leaks == [] and fragments == []


def test_aggregates_survive(erased, support):
    cid = erased["id"]

    wellness = support.get(f"/api/v1/contributors/{cid}/wellness").json()
    history = support.get(f"/api/v1/contributors/{cid}/history").json()["items"]
    qualifications = support.get(f"/api/v1/contributors/{cid}/qualifications").json()["items"]
    ticket = support.get(f"/api/v1/tickets/{erased['tickets'][0]}").json()

    assert wellness["today_minutes"]["high"] >= 10.0
    assert [h["to_status"] for h in history] == [
        "applied",
        "screening",
        "onboarding",
        "active",
        "paused",
        "offboarded",
    ]
    assert history[4]["reason"] == "[erased]" and history[5]["reason"] == "personal data erased"
    assert qualifications[0]["score"] == 80
    assert (ticket["channel"], ticket["category"], ticket["subject"]) == ("email", "payment", "[erased]")
    assert ticket["first_response_at"] is not None


def test_the_requester_ticket_found_by_email_is_erased_too(erased, support):
    ticket = support.get(f"/api/v1/tickets/{erased['tickets'][1]}").json()
    messages = support.get(f"/api/v1/tickets/{erased['tickets'][1]}/messages").json()["items"]

    assert ticket["requester_name"] is None and ticket["requester_contact"] is None
    assert {m["body"] for m in messages} == {"[erased]"}


def test_other_contributors_are_untouched(erased, support):
    bystander = support.get(f"/api/v1/contributors/{erased['bystander']['id']}").json()

    assert bystander["full_name"] == "Unrelated Person" and bystander["erased_at"] is None


def test_contributor_erased_is_published_to_tasks_and_vendors_once(erased, databases):
    for destination in ("tasks", "vendors"):
        events = eventually(
            lambda d=destination: [
                e for e in outbox(databases, erased["id"], "contributor.erased", d) if e["delivered_at"]
            ]
        )
        assert [e["payload"] for e in events] == [{"contributor_id": erased["id"]}]


def test_erasing_again_changes_nothing_and_publishes_nothing(erased, support, databases):
    again = support.post(f"/api/v1/contributors/{erased['id']}/erase")

    assert again.status_code == 200 and again.json() == erased["response"].json()
    assert len(outbox(databases, erased["id"], "contributor.erased")) == 1


def test_an_erased_contributor_cannot_be_changed_or_reactivated(erased, support):
    url = f"/api/v1/contributors/{erased['id']}"

    patch = support.patch(
        url, json={"full_name": "Back again"}, headers={"If-Match": support.get(url).headers["etag"]}
    )
    transition = support.post(f"{url}/transitions", json={"to": "active"})

    assert patch.status_code == 409 and transition.status_code == 409


def test_erased_contributors_leave_the_default_list_and_the_email_is_free_again(erased, support):
    listed = support.get("/api/v1/contributors", params={"email": erased["secrets"]["email"]}).json()["items"]
    with_erased = support.get(
        "/api/v1/contributors", params={"include_erased": True, "limit": 500, "sort": "-id"}
    ).json()
    again = support.post(
        "/api/v1/contributors",
        json={
            "email": erased["secrets"]["email"],
            "full_name": "New Application",
            "country": "PT",
            "timezone": "Europe/Lisbon",
        },
    )

    assert listed == []
    assert erased["id"] in {c["id"] for c in with_erased["items"]}
    assert again.status_code == 201


def test_only_support_ops_and_admins_erase(users, support):
    created = new_contributor(support)

    for role in ("analyst", "vendor", "contributor", "vendor_manager"):
        client = users.create(role, vendor_id=1, contributor_id=created["id"])
        assert client.post(f"/api/v1/contributors/{created['id']}/erase").status_code == 403, role
