"""Queue bans through the gateway: ops list them with the firing behind each, lift them, and see the history.

A ban here comes from a quality rule (`answers_per_day` → `suspend`) or the drift auto-revoke; the
sweeper may evaluate before the test asks, so tests read bans and firings rather than evaluate answers.
"""

from __future__ import annotations

from tests.services.tasks.helpers import active_project, work_one, worker

GOLD = [{"data": {"n": i}, "gold_answer": "cat"} for i in range(3)]


def _evaluate(admin, project_id):
    response = admin.post(f"/api/v1/projects/{project_id}/quality-rules/evaluate")
    assert response.status_code == 200, response.text


def _bans(client, queue_id, **params):
    response = client.get(f"/api/v1/queues/{queue_id}/bans", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _banned_worker(admin, users, cluster):
    """A contributor suspended on the labeling queue of a fresh project by an answers_per_day rule."""
    project, queues = active_project(admin, tasks=6)
    rule = admin.post(
        f"/api/v1/projects/{project['id']}/quality-rules",
        json={"metric": "answers_per_day", "action": "suspend", "threshold": 2, "ban_hours": 2},
    ).json()
    alice = worker(users, cluster)
    work_one(alice, queues["labeling"])
    work_one(alice, queues["labeling"])
    _evaluate(admin, project["id"])
    [ban] = _bans(admin, queues["labeling"])
    return project, queues, rule, alice, ban


def test_ops_see_a_queues_active_ban_with_the_rule_and_firing_behind_it(admin, users, cluster, ops):
    project, queues, rule, alice, _ = _banned_worker(admin, users, cluster)

    [ban] = _bans(ops, queues["labeling"])

    [firing] = admin.get(f"/api/v1/projects/{project['id']}/quality-rules/firings").json()["items"]
    assert (ban["contributor_id"], ban["rule_id"], ban["firing_id"]) == (
        alice.contributor_id,
        rule["id"],
        firing["id"],
    )
    assert firing["evidence"]["ban_id"] == ban["id"]
    assert ban["active"] is True and ban["until"] is not None and ban["reason"].startswith("quality rule")
    assert (ban["lifted_at"], ban["lifted_by"]) == (None, None)


def test_lifting_a_ban_lets_the_contributor_lease_at_once(admin, users, cluster, ops):
    _, queues, _, alice, ban = _banned_worker(admin, users, cluster)
    assert alice.post(f"/api/v1/queues/{queues['labeling']}/next").status_code == 403

    lifted = ops.delete(f"/api/v1/queues/{queues['labeling']}/bans/{ban['id']}")

    assert lifted.status_code == 204
    assert alice.post(f"/api/v1/queues/{queues['labeling']}/next").status_code == 200


def test_a_lifted_ban_leaves_the_active_list_and_stays_in_the_history(admin, users, cluster, ops):
    _, queues, _, _, ban = _banned_worker(admin, users, cluster)

    ops.delete(f"/api/v1/queues/{queues['labeling']}/bans/{ban['id']}")

    assert _bans(ops, queues["labeling"]) == []
    [past] = _bans(ops, queues["labeling"], include_lifted="true")
    assert (past["id"], past["active"], past["lifted_by"]) == (ban["id"], False, f"user:{ops.user['id']}")
    assert past["lifted_at"] is not None


def test_lifting_twice_is_a_204_and_audited_once(admin, users, cluster, ops):
    project, queues, _, alice, ban = _banned_worker(admin, users, cluster)
    url = f"/api/v1/queues/{queues['labeling']}/bans/{ban['id']}"

    first, again = ops.delete(url), admin.delete(url)

    assert (first.status_code, again.status_code) == (204, 204)
    [past] = _bans(ops, queues["labeling"], include_lifted="true")
    assert past["lifted_by"] == f"user:{ops.user['id']}"  # the first lift stands
    audit = admin.get(f"/api/v1/projects/{project['id']}/permission-audit").json()["items"]
    lifts = [(a["contributor_id"], a["actor"]) for a in audit if a["action"] == "lift"]
    assert lifts == [(alice.contributor_id, f"user:{ops.user['id']}")]


def test_the_evaluator_does_not_impose_a_lifted_rule_ban_again_for_the_same_answers(
    admin, users, cluster, ops
):
    project, queues, _, alice, ban = _banned_worker(admin, users, cluster)
    ops.delete(f"/api/v1/queues/{queues['labeling']}/bans/{ban['id']}")

    _evaluate(admin, project["id"])

    assert _bans(admin, queues["labeling"]) == []
    assert alice.post(f"/api/v1/queues/{queues['labeling']}/next").status_code == 200


def test_a_lifted_drift_ban_holds_until_the_contributor_misses_gold_again(admin, users, cluster, ops):
    project, queues = active_project(
        admin, rows=GOLD, gold_ratio=1.0, min_quality=0.8, auto_revoke_on_drift=True
    )
    alice = worker(users, cluster)
    work_one(alice, queues["labeling"], "dog")
    _evaluate(admin, project["id"])
    [drift_ban] = _bans(admin, queues["labeling"])
    ops.delete(f"/api/v1/queues/{queues['labeling']}/bans/{drift_ban['id']}")

    # Still below min_quality overall (1 of 2), but the one gold answered since the lift was right.
    work_one(alice, queues["labeling"], "cat")
    _evaluate(admin, project["id"])
    assert _bans(admin, queues["labeling"]) == []

    work_one(alice, queues["labeling"], "dog")
    _evaluate(admin, project["id"])
    [again] = _bans(admin, queues["labeling"])
    assert (again["contributor_id"], again["rule_id"], again["until"]) == (alice.contributor_id, None, None)
    firings = admin.get(f"/api/v1/projects/{project['id']}/quality-rules/firings").json()["items"]
    latest = next(f for f in firings if f["id"] == again["firing_id"])
    assert (latest["evidence"]["gold_total"], latest["evidence"]["gold_correct"]) == (2, 1)
    assert "since_lift" in latest["evidence"]


def test_a_ban_on_another_queue_or_none_at_all_is_404(admin, users, cluster, ops):
    _, queues, _, _, ban = _banned_worker(admin, users, cluster)

    assert ops.delete(f"/api/v1/queues/{queues['review']}/bans/{ban['id']}").status_code == 404
    assert ops.delete(f"/api/v1/queues/{queues['labeling']}/bans/987654321").status_code == 404
    assert ops.get("/api/v1/queues/987654321/bans").status_code == 404
    assert _bans(ops, queues["labeling"])[0]["id"] == ban["id"]  # nothing was lifted


def test_analysts_read_bans_but_only_ops_and_admins_lift_them(admin, users, cluster):
    _, queues, _, alice, ban = _banned_worker(admin, users, cluster)
    url = f"/api/v1/queues/{queues['labeling']}/bans"
    analyst = users.create("analyst")

    assert [b["id"] for b in _bans(analyst, queues["labeling"])] == [ban["id"]]
    assert analyst.delete(f"{url}/{ban['id']}").status_code == 403
    assert users.create("vendor_manager").delete(f"{url}/{ban['id']}").status_code == 403
    assert (alice.get(url).status_code, alice.delete(f"{url}/{ban['id']}").status_code) == (403, 403)
    assert _bans(admin, queues["labeling"])[0]["active"] is True


def test_the_ban_list_pages_with_a_cursor(admin, users, cluster):
    project, queues = active_project(admin, tasks=6)
    admin.post(
        f"/api/v1/projects/{project['id']}/quality-rules",
        json={"metric": "answers_per_day", "action": "suspend", "threshold": 1, "ban_hours": 2},
    )
    for _ in range(3):
        work_one(worker(users, cluster), queues["labeling"])
    _evaluate(admin, project["id"])

    first = admin.get(f"/api/v1/queues/{queues['labeling']}/bans", params={"limit": 2}).json()
    rest = admin.get(
        f"/api/v1/queues/{queues['labeling']}/bans", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()

    assert (len(first["items"]), len(rest["items"]), rest["next_cursor"]) == (2, 1, None)
    assert len({b["contributor_id"] for b in first["items"] + rest["items"]}) == 3
