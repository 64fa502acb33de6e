"""Controls that stop work already handed out (issue #15): a status change in one service ends the held
leases it concerns in tasks, and the stopped action itself — the submit — fails.

Each test holds a lease, performs the control through the gateway, waits until the tasks service has
heard of it (its read-model of the contributor), then proves the submit is refused and the task is back
in the queue for someone else.
"""

from __future__ import annotations

import json
import uuid

import httpx

from tests.services.contributors.support import activate as activate_contributor
from tests.services.contributors.support import move, new_contributor
from tests.services.tasks.helpers import active_project, worker
from tests.services.vendors.support import Receiver, new_vendor
from tests.support.api import client_for
from tests.support.sql import query
from tests.support.waiting import eventually

ANSWER = {"answer": "cat", "time_spent_seconds": 20}


def _next(client, queue_id):
    return client.post(f"/api/v1/queues/{queue_id}/next")


def _profile(admin, contributor_id):
    response = admin.get(f"/api/v1/contributor-profiles/{contributor_id}")
    return response.json() if response.status_code == 200 else {}


def _at_work(admin, ops, users, tasks=1, **project):
    """A contributor made and activated through the contributors API, holding a lease on a project."""
    _, queues = active_project(admin, tasks=tasks, **project)
    person = new_contributor(ops, languages=[{"code": "en", "proficiency": "native"}])
    activate_contributor(ops, person["id"])
    client = users.create("contributor", contributor_id=person["id"])
    leased = eventually(lambda: (r := _next(client, queues["labeling"])).status_code == 200 and r)
    return person, client, leased.json()["assignment_id"], queues


def _refused_and_requeued(admin, users, cluster, client, assignment_id, queues, *, signed_out=False):
    """The held lease takes no answer and its task is someone else's; `signed_out`: the gateway may
    already refuse the caller itself (401, the user disabled) before tasks refuses the lease (409)."""
    submitted = client.post(f"/api/v1/assignments/{assignment_id}/submit", json=ANSWER)
    heartbeat = client.post(f"/api/v1/assignments/{assignment_id}/heartbeat")
    someone_else = _next(worker(users, cluster), queues["labeling"])

    assert submitted.status_code in ((401, 409) if signed_out else (409,)), submitted.text
    assert submitted.headers["content-type"] == "application/problem+json"
    assert heartbeat.status_code in ((401, 409) if signed_out else (409,))
    assert someone_else.status_code == 200, someone_else.text


def test_an_offboarded_contributor_cannot_submit_the_lease_held(admin, ops, users, cluster):
    person, client, assignment_id, queues = _at_work(admin, ops, users)

    assert move(ops, person["id"], "offboarded", reason="contract ended").status_code == 200
    eventually(lambda: _profile(admin, person["id"]).get("status") == "offboarded")

    _refused_and_requeued(admin, users, cluster, client, assignment_id, queues, signed_out=True)


def test_an_erased_contributor_cannot_submit_the_lease_held(admin, ops, users, cluster):
    person, client, assignment_id, queues = _at_work(admin, ops, users)

    assert ops.post(f"/api/v1/contributors/{person['id']}/erase").status_code in (200, 202)
    eventually(lambda: _profile(admin, person["id"]).get("erased") is True)

    _refused_and_requeued(admin, users, cluster, client, assignment_id, queues, signed_out=True)


def test_opting_out_releases_the_harmful_lease_held(admin, ops, users, cluster):
    person, client, assignment_id, queues = _at_work(admin, ops, users, content_severity="medium")

    opted = client.put(
        f"/api/v1/contributors/{person['id']}/wellness/opt-out", json={"opted_out_harmful": True}
    )
    assert opted.status_code == 200, opted.text
    eventually(lambda: _profile(admin, person["id"]).get("opted_out_harmful") is True)

    _refused_and_requeued(admin, users, cluster, client, assignment_id, queues)
    assert _next(client, queues["labeling"]).headers["LabelOps-Queue-Reason"] == "opted_out"


def test_opting_out_keeps_leases_without_harmful_content(admin, ops, users, cluster):
    person, client, assignment_id, _ = _at_work(admin, ops, users, content_severity="low")

    client.put(f"/api/v1/contributors/{person['id']}/wellness/opt-out", json={"opted_out_harmful": True})
    eventually(lambda: _profile(admin, person["id"]).get("opted_out_harmful") is True)

    assert client.post(f"/api/v1/assignments/{assignment_id}/submit", json=ANSWER).status_code == 201


def test_a_completed_project_takes_no_answer_for_a_lease_still_held(admin, users, cluster, databases):
    project, queues = active_project(admin, tasks=1)
    alice = worker(users, cluster)
    assignment_id = _next(alice, queues["labeling"]).json()["assignment_id"]

    for to in ("paused", "completed"):
        moved = admin.post(f"/api/v1/projects/{project['id']}/transitions", json={"to": to})
        assert moved.status_code == 200, moved.text
    submitted = alice.post(f"/api/v1/assignments/{assignment_id}/submit", json=ANSWER)

    assert submitted.status_code == 409, submitted.text
    stored = query(
        databases.urls["tasks"], "SELECT id FROM submissions WHERE assignment_id = :a", a=assignment_id
    )
    assert stored == []


def test_a_required_break_keeps_the_contributor_from_exposed_work_until_it_ends(admin, ops, users, cluster):
    # 61 minutes of continuous exposure pass the default 60-minute limit: a 15-minute break is due.
    _, client, assignment_id, queues = _at_work(admin, ops, users, tasks=3, content_severity="medium")
    answer = {"answer": "cat", "time_spent_seconds": 61 * 60}
    assert client.post(f"/api/v1/assignments/{assignment_id}/submit", json=answer).status_code == 201

    refused = eventually(
        lambda: (
            (r := _next(client, queues["labeling"])).headers.get("LabelOps-Queue-Reason") == "wellness_break"
            and r
        )
    )

    assert refused.status_code == 204
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60


def _vendor_status_in_tasks(admin, queue_id, contributor_id):
    explained = admin.get(f"/api/v1/queues/{queue_id}/eligibility", params={"contributor_id": contributor_id})
    rule = next(r for r in explained.json()["rules"] if r["rule"] == "vendor_active")
    return rule["compared"]["vendor_status"]


def test_a_vendor_not_active_gets_no_new_work_and_a_terminated_ones_leases_end(admin, users, cluster):
    vendor = new_vendor(admin)

    def move_vendor(to):
        return admin.post(f"/api/v1/vendors/{vendor['id']}/transitions", json={"to": to})

    assert [move_vendor(to).status_code for to in ("onboarding", "active")] == [200, 200]
    _, queues = active_project(admin, tasks=3, allowed_vendors=[vendor["id"]])
    alice, bob = (
        worker(users, cluster, vendor_id=vendor["id"]),
        worker(users, cluster, vendor_id=vendor["id"]),
    )
    # The vendor's moves reach the tasks service as events: alice works once it has them (until then an
    # "onboarding" heard late refuses her; at a cap of one, asking again returns the lease she holds).
    eventually(lambda: _next(alice, queues["labeling"]).status_code == 200)
    held_by_alice = _next(alice, queues["labeling"]).json()["assignment_id"]

    assert move_vendor("suspended").status_code == 200
    eventually(lambda: _vendor_status_in_tasks(admin, queues["labeling"], bob.contributor_id) == "suspended")
    refused = _next(bob, queues["labeling"])
    # A suspension is not the end: the lease already held may still be answered.
    answered = alice.post(f"/api/v1/assignments/{held_by_alice}/submit", json=ANSWER)

    assert (refused.status_code, refused.headers["LabelOps-Queue-Reason"]) == (204, "vendor_not_active")
    assert answered.status_code == 201

    assert move_vendor("active").status_code == 200
    eventually(lambda: _vendor_status_in_tasks(admin, queues["labeling"], bob.contributor_id) == "active")
    held_by_bob = _next(bob, queues["labeling"]).json()["assignment_id"]
    assert move_vendor("terminated").status_code == 200
    eventually(lambda: _vendor_status_in_tasks(admin, queues["labeling"], bob.contributor_id) == "terminated")

    _refused_and_requeued(admin, users, cluster, bob, held_by_bob, queues)


def _audit(admin, project_id):
    return admin.get(f"/api/v1/projects/{project_id}/permission-audit", params={"limit": 200}).json()["items"]


def test_offboarding_revokes_the_direct_grants_audited_with_the_cause(admin, ops, users, cluster):
    project, queues = active_project(admin, tasks=1, crowd_allowed=False)
    person = new_contributor(ops, languages=[{"code": "en", "proficiency": "native"}])
    activate_contributor(ops, person["id"])
    grant = admin.post(
        f"/api/v1/queues/{queues['labeling']}/permissions",
        json={"contributor_id": person["id"], "role": "labeler"},
    ).json()

    assert move(ops, person["id"], "offboarded", reason="left").status_code == 200
    revoked = eventually(
        lambda: [row for row in _audit(admin, project["id"]) if row["action"] == "revoke"] or None
    )
    live = admin.get(f"/api/v1/queues/{queues['labeling']}/permissions").json()["items"]
    ended = admin.get(
        f"/api/v1/queues/{queues['labeling']}/permissions", params={"include_ended": True}
    ).json()["items"]

    assert [(r["permission_id"], r["contributor_id"], r["role"], r["reason"]) for r in revoked] == [
        (grant["id"], person["id"], "labeler", "contributor offboarded")
    ]
    assert grant["id"] not in [p["id"] for p in live]
    assert [p["revoked_at"] is not None for p in ended if p["id"] == grant["id"]] == [True]


def test_the_audit_names_every_grantee_and_keeps_the_revoke_reason(admin, users, cluster):
    project, queues = active_project(admin, tasks=1, allowed_vendors=[4545])
    alice = worker(users, cluster)
    grant = admin.post(
        f"/api/v1/queues/{queues['labeling']}/permissions", json={"contributor_id": alice.contributor_id}
    ).json()

    revoked = admin.delete(
        f"/api/v1/queues/{queues['labeling']}/permissions/{grant['id']}", params={"reason": "misconduct"}
    )
    rows = _audit(admin, project["id"])

    assert revoked.status_code == 204
    grants = {
        (r["action"], r["contributor_id"], r["vendor_id"], r["crowd"]) for r in rows if r["action"] == "grant"
    }
    assert grants >= {
        ("grant", None, 4545, False),
        ("grant", None, None, True),
        ("grant", alice.contributor_id, None, False),
    }
    assert [r["reason"] for r in rows if r["action"] == "revoke"] == ["misconduct"]


def test_a_completed_project_refuses_new_grants(admin, users, cluster):
    project, queues = active_project(admin, tasks=1)
    for to in ("paused", "completed"):
        admin.post(f"/api/v1/projects/{project['id']}/transitions", json={"to": to})

    response = admin.post(f"/api/v1/queues/{queues['labeling']}/permissions", json={"crowd": True})

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


def _linked_user(admin, contributor_id):
    email, password = f"c{contributor_id}-{uuid.uuid4().hex[:6]}@example.org", "long-enough-password-1"
    user = admin.post(
        "/api/v1/users",
        json={
            "email": email,
            "password": password,
            "roles": ["contributor"],
            "contributor_id": contributor_id,
        },
    ).json()
    return user, {"username": email, "password": password}


def _login(cluster, credentials):
    return httpx.post(f"{cluster.gateway_url}/api/v1/auth/token", data=credentials)


def test_offboarding_disables_and_signs_out_the_contributors_users(admin, ops, cluster):
    person = new_contributor(ops)
    user, credentials = _linked_user(admin, person["id"])
    tokens = _login(cluster, credentials).json()
    signed_in = client_for(cluster.gateway_url, tokens["access_token"])
    assert signed_in.get("/api/v1/auth/me").status_code == 200

    assert move(ops, person["id"], "offboarded", reason="left").status_code == 200

    eventually(lambda: signed_in.get("/api/v1/auth/me").status_code == 401)
    refreshed = httpx.post(
        f"{cluster.gateway_url}/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 401
    assert _login(cluster, credentials).status_code == 401
    assert admin.get(f"/api/v1/users/{user['id']}").json()["disabled"] is True
    audit = admin.get("/api/v1/audit-events", params={"action": "user.disabled", "limit": 200}).json()[
        "items"
    ]
    assert f"user:{user['id']}" in [event["target"] for event in audit]


def test_erasure_pseudonymises_the_contributors_users(admin, ops, cluster):
    person = new_contributor(ops)
    user, credentials = _linked_user(admin, person["id"])

    assert ops.post(f"/api/v1/contributors/{person['id']}/erase").status_code in (200, 202)

    erased = eventually(
        lambda: (
            (u := admin.get(f"/api/v1/users/{user['id']}").json())["email"] != credentials["username"] and u
        )
    )
    assert erased["disabled"] is True
    assert credentials["username"] not in admin.get("/api/v1/users", params={"limit": 200}).text
    assert _login(cluster, credentials).status_code == 401


def test_a_contributors_access_lists_every_granted_queue_and_why(admin, ops, users, cluster):
    _, open_queues = active_project(admin, tasks=1)
    _, french_queues = active_project(admin, tasks=1, required_languages=["fr"])
    person = new_contributor(ops, languages=[{"code": "en", "proficiency": "native"}])
    activate_contributor(ops, person["id"])
    client = users.create("contributor", contributor_id=person["id"])
    other = worker(users, cluster)
    eventually(lambda: _profile(admin, person["id"]).get("status") == "active")

    by_ops = ops.get(f"/api/v1/contributors/{person['id']}/access")
    by_self = client.get(f"/api/v1/contributors/{person['id']}/access")
    by_other = other.get(f"/api/v1/contributors/{person['id']}/access")

    assert by_ops.status_code == 200, by_ops.text
    queues = {q["queue_id"]: q for q in by_ops.json()["queues"]}
    assert (queues[open_queues["labeling"]]["eligible"], queues[open_queues["labeling"]]["reason"]) == (
        True,
        None,
    )
    assert (queues[french_queues["labeling"]]["eligible"], queues[french_queues["labeling"]]["reason"]) == (
        False,
        _next(client, french_queues["labeling"]).headers["LabelOps-Queue-Reason"],
    )
    assert by_self.status_code == 200 and by_self.json()["contributor_id"] == person["id"]
    assert by_other.status_code == 404


def _wellness_news(receiver, contributor_id):
    bodies = [json.loads(r["body"]) for r in receiver.requests]
    return {b["type"]: b["data"] for b in bodies if b["data"].get("contributor_id") == contributor_id}


def test_wellness_news_reaches_subscribers_without_personal_data(admin, ops, users, cluster):
    receiver = Receiver()
    manager = users.create("vendor_manager")
    subscribed = manager.post(
        "/api/v1/webhook-subscriptions", json={"url": receiver.url, "event_types": ["wellness.*"]}
    )
    assert subscribed.status_code == 201, subscribed.text
    person, client, assignment_id, _ = _at_work(admin, ops, users, content_severity="high")

    check_in = {"mood": 2, "stress": 5, "note": "rough night, call me", "wants_support": True}
    assert (
        client.post(f"/api/v1/contributors/{person['id']}/wellness/check-ins", json=check_in).status_code
        == 201
    )
    # 121 minutes of high-severity work: past the 120-minute daily cap and the 60-minute continuous limit.
    answer = {"answer": "cat", "time_spent_seconds": 121 * 60}
    assert client.post(f"/api/v1/assignments/{assignment_id}/submit", json=answer).status_code == 201

    eventually(lambda: len(_wellness_news(receiver, person["id"])) == 3)
    news = _wellness_news(receiver, person["id"])
    assert set(news) == {"wellness.support_requested", "wellness.break_started", "wellness.cap_reached"}
    assert (
        news["wellness.cap_reached"]["severity"] == "high"
        and news["wellness.cap_reached"]["cap_minutes"] == 120
    )
    assert "call me" not in json.dumps(news) and person["email"] not in json.dumps(news)
