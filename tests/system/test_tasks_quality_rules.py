"""Quality rules through the gateway: each metric and action, drift auto-revoke, firings, access, bad input.

The sweeper evaluates in the background too, so tests read the firings (whoever evaluated) rather than
the answer of the evaluate call.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.services.contributors.support import activate, new_contributor
from tests.services.tasks.helpers import active_project, worker
from tests.support.api import every_item
from tests.support.sql import query
from tests.support.waiting import eventually

GOLD = [{"data": {"n": i}, "gold_answer": "cat"} for i in range(3)]


def _rule(admin, project_id, **body):
    response = admin.post(f"/api/v1/projects/{project_id}/quality-rules", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _firings(admin, project_id):
    admin.post(f"/api/v1/projects/{project_id}/quality-rules/evaluate")
    response = admin.get(f"/api/v1/projects/{project_id}/quality-rules/firings")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _lease(client, queue_id):
    response = client.post(f"/api/v1/queues/{queue_id}/next")
    assert response.status_code == 200, response.text
    return response.json()


def _answer(client, queue_id, answer="cat", seconds=30):
    lease = _lease(client, queue_id)
    response = client.post(
        f"/api/v1/assignments/{lease['assignment_id']}/submit",
        json={"answer": answer, "time_spent_seconds": seconds},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    return response.json()


def _skip(client, queue_id):
    lease = _lease(client, queue_id)
    assert client.post(f"/api/v1/assignments/{lease['assignment_id']}/release").status_code in (200, 204)


def _bans(databases, contributor_id):
    return query(
        databases.urls["tasks"],
        "SELECT queue_id, until, rule_id FROM queue_bans WHERE contributor_id = :c",
        c=contributor_id,
    )


def test_ops_create_list_and_delete_rules(admin):
    project, _ = active_project(admin, tasks=1)
    rule = _rule(
        admin, project["id"], metric="answers_per_day", action="suspend", threshold=500, ban_hours=24
    )

    listed = admin.get(f"/api/v1/projects/{project['id']}/quality-rules").json()["items"]
    deleted = admin.delete(f"/api/v1/projects/{project['id']}/quality-rules/{rule['id']}")

    assert [r["id"] for r in listed] == [rule["id"]]
    assert deleted.status_code == 204
    assert admin.get(f"/api/v1/projects/{project['id']}/quality-rules").json()["items"] == []


def test_concurrent_deletions_of_one_rule_delete_it_once(admin):
    project, _ = active_project(admin, tasks=1)
    rule = _rule(admin, project["id"], metric="answers_per_day", action="suspend", threshold=500, ban_hours=1)
    url = f"/api/v1/projects/{project['id']}/quality-rules/{rule['id']}"

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(lambda _: admin.delete(url).status_code, range(6)))

    assert codes == [204] + [404] * 5


def test_rules_are_listed_a_page_at_a_time_oldest_first(admin):
    project, _ = active_project(admin, tasks=1)
    rules = [
        _rule(admin, project["id"], metric="answers_per_day", action="suspend", threshold=t, ban_hours=1)
        for t in (100, 200, 300)
    ]
    url = f"/api/v1/projects/{project['id']}/quality-rules"

    first = admin.get(url, params={"limit": 2}).json()
    second = admin.get(url, params={"limit": 2, "cursor": first["next_cursor"]}).json()

    assert [r["id"] for r in first["items"] + second["items"]] == [r["id"] for r in rules]
    assert (len(first["items"]), second["next_cursor"]) == (2, None)


def test_analysts_read_rules_and_firings_but_cannot_manage_them(admin, users):
    project, _ = active_project(admin, tasks=1)
    analyst = users.create("analyst")
    base = f"/api/v1/projects/{project['id']}/quality-rules"

    created = analyst.post(base, json={"metric": "answers_per_day", "action": "retest", "threshold": 5})

    assert created.status_code == 403
    assert analyst.post(base + "/evaluate").status_code == 403
    assert (analyst.get(base).status_code, analyst.get(base + "/firings").status_code) == (200, 200)


def test_contributors_cannot_read_rules(admin, users, cluster):
    project, _ = active_project(admin, tasks=1)

    response = worker(users, cluster).get(f"/api/v1/projects/{project['id']}/quality-rules/firings")

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"metric": "fast_answers", "action": "reject_answers", "threshold": 2}, "seconds"),
        ({"metric": "gold_accuracy", "action": "suspend", "threshold": 0.8}, "ban_hours"),
        ({"metric": "gold_accuracy", "action": "retest", "threshold": 1.5}, "threshold"),
        (
            {"metric": "gold_accuracy", "action": "raise_overlap", "threshold": 0.5, "max_overlap": 3},
            "action",
        ),
        ({"metric": "task_agreement", "action": "raise_overlap", "threshold": 0.5}, "max_overlap"),
        ({"metric": "speed", "action": "retest", "threshold": 1}, "metric"),
        ({"metric": "skips_in_row", "action": "retest", "threshold": 3, "window_size": 0}, "window_size"),
        ({"metric": "skips_in_row", "action": "retest", "threshold": 3, "colour": "red"}, "colour"),
    ],
)
def test_an_incomplete_rule_is_422_naming_the_field(admin, body, field):
    project, _ = active_project(admin, tasks=1)

    response = admin.post(f"/api/v1/projects/{project['id']}/quality-rules", json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e.get("field") or str(e.get("loc", [""])[-1]) for e in response.json()["errors"]}


def test_rules_of_a_missing_project_are_404(admin):
    response = admin.post(
        "/api/v1/projects/987654321/quality-rules",
        json={"metric": "answers_per_day", "action": "retest", "threshold": 5},
    )

    assert response.status_code == 404


def test_low_gold_accuracy_suspends_the_contributor_on_the_labeling_queue(admin, users, cluster, databases):
    project, queues = active_project(admin, rows=GOLD, gold_ratio=1.0)
    rule = _rule(
        admin, project["id"], metric="gold_accuracy", action="suspend", threshold=0.6, window_size=5,
        min_count=2, ban_hours=12,
    )  # fmt: skip
    alice = worker(users, cluster)
    wrong = [_answer(alice, queues["labeling"], "dog")["id"] for _ in range(2)]

    [firing] = _firings(admin, project["id"])

    assert (firing["rule_id"], firing["contributor_id"], firing["value"]) == (
        rule["id"],
        alice.contributor_id,
        0.0,
    )
    assert sorted(firing["evidence"]["submission_ids"]) == sorted(wrong) and firing["evidence"]["banned"]
    [ban] = _bans(databases, alice.contributor_id)
    assert (ban["queue_id"], ban["rule_id"]) == (queues["labeling"], rule["id"]) and ban["until"] is not None
    audit = admin.get(f"/api/v1/projects/{project['id']}/permission-audit").json()["items"]
    assert [(a["action"], a["contributor_id"]) for a in audit if a["action"] == "ban"] == [
        ("ban", alice.contributor_id)
    ]


def test_gold_accuracy_waits_for_the_minimum_number_of_gold_answers(admin, users, cluster):
    project, queues = active_project(admin, rows=GOLD, gold_ratio=1.0)
    _rule(admin, project["id"], metric="gold_accuracy", action="retest", threshold=0.6, min_count=3)
    alice = worker(users, cluster)
    _answer(alice, queues["labeling"], "dog")
    _answer(alice, queues["labeling"], "dog")

    assert _firings(admin, project["id"]) == []


def test_a_rule_judges_the_same_evidence_once(admin, users, cluster, databases):
    project, queues = active_project(admin, rows=GOLD, gold_ratio=1.0)
    _rule(
        admin,
        project["id"],
        metric="gold_accuracy",
        action="suspend",
        threshold=0.6,
        min_count=1,
        ban_hours=1,
    )
    alice = worker(users, cluster)
    _answer(alice, queues["labeling"], "dog")
    _firings(admin, project["id"])

    assert len(_firings(admin, project["id"])) == 1
    assert len(_bans(databases, alice.contributor_id)) == 1


def test_fast_answers_reject_the_contributors_answers_and_requeue_their_tasks(admin, users, cluster):
    project, queues = active_project(admin, tasks=2)
    _rule(admin, project["id"], metric="fast_answers", action="reject_answers", threshold=2, seconds=3)
    alice, bob = worker(users, cluster), worker(users, cluster)
    answered = sorted(_answer(alice, queues["labeling"], seconds=1)["id"] for _ in range(2))

    [firing] = _firings(admin, project["id"])

    assert firing["value"] == 2 and firing["evidence"]["rejected_submission_ids"] == answered
    progress = admin.get(f"/api/v1/projects/{project['id']}/stats").json()["progress"]
    assert (progress["accepted"], progress["rejected"], progress["tasks_completed"]) == (0, 2, 0)
    assert _lease(bob, queues["labeling"])["task"]["id"] is not None


def test_firings_are_listed_oldest_first_or_the_latest_first_a_page_at_a_time(admin, users, cluster):
    project, queues = active_project(admin, tasks=3)
    _rule(admin, project["id"], metric="fast_answers", action="reject_answers", threshold=1, seconds=3)
    for _ in range(3):
        _answer(worker(users, cluster), queues["labeling"], seconds=1)
    assert len(_firings(admin, project["id"])) == 3  # one per contributor
    url = f"/api/v1/projects/{project['id']}/quality-rules/firings"

    oldest_first = [f["id"] for f in every_item(admin, url, limit=1)]
    latest_first = [f["id"] for f in every_item(admin, url, sort="-id", limit=1)]

    assert oldest_first == sorted(oldest_first) and latest_first == oldest_first[::-1]


def test_slow_answers_do_not_fire_fast_answers(admin, users, cluster):
    project, queues = active_project(admin, tasks=2)
    _rule(admin, project["id"], metric="fast_answers", action="reject_answers", threshold=1, seconds=3)
    alice = worker(users, cluster)
    _answer(alice, queues["labeling"], seconds=10)

    assert _firings(admin, project["id"]) == []


def test_skips_in_row_mark_a_retest(admin, users, cluster, databases):
    project, queues = active_project(admin, tasks=3, required_qualification="cats")
    _rule(admin, project["id"], metric="skips_in_row", action="retest", threshold=2, window_size=5)
    alice = worker(users, cluster, qualifications=[{"name": "cats", "score": 90, "passed": True}])
    _skip(alice, queues["labeling"])
    _skip(alice, queues["labeling"])

    [firing] = _firings(admin, project["id"])

    assert (firing["metric"], firing["value"], firing["action"]) == ("skips_in_row", 2, "retest")
    assert len(firing["evidence"]["released_assignment_ids"]) == 2
    drifts = query(
        databases.urls["tasks"],
        "SELECT payload FROM event_outbox WHERE event_type = 'quality.drift' AND destination = 'contributors'",
    )
    payloads = [p if isinstance(p, dict) else json.loads(p) for p in (row["payload"] for row in drifts)]
    assert {
        "contributor_id": alice.contributor_id,
        "qualification": "cats",
        "metric": "skips_in_row",
    }.items() <= next(p for p in payloads if p["contributor_id"] == alice.contributor_id).items()


def _drift_sent_for(databases, contributor_id):
    rows = query(
        databases.urls["tasks"],
        "SELECT payload FROM event_outbox WHERE event_type = 'quality.drift' AND destination = 'contributors'",
    )
    payloads = [p if isinstance(p, dict) else json.loads(p) for p in (row["payload"] for row in rows)]
    return [p for p in payloads if p["contributor_id"] == contributor_id]


def test_a_retest_sends_the_measured_metric_and_value_not_an_accuracy(admin, users, cluster, databases):
    project, queues = active_project(admin, tasks=3)
    rule = _rule(admin, project["id"], metric="skips_in_row", action="retest", threshold=2)
    alice = worker(users, cluster)
    _skip(alice, queues["labeling"])
    _skip(alice, queues["labeling"])

    _firings(admin, project["id"])

    [sent] = _drift_sent_for(databases, alice.contributor_id)
    assert (sent["metric"], sent["value"], sent["threshold"], sent["rule_id"]) == (
        "skips_in_row",
        2,
        2,
        rule["id"],
    )
    assert "accuracy" not in sent and "min_quality" not in sent


def test_a_gold_accuracy_retest_also_sends_the_accuracy(admin, users, cluster, databases):
    project, queues = active_project(admin, rows=GOLD, gold_ratio=1.0)
    _rule(admin, project["id"], metric="gold_accuracy", action="retest", threshold=0.6, min_count=1)
    alice = worker(users, cluster)
    _answer(alice, queues["labeling"], "dog")

    _firings(admin, project["id"])

    [sent] = _drift_sent_for(databases, alice.contributor_id)
    assert (sent["metric"], sent["value"], sent["accuracy"], sent["min_quality"]) == (
        "gold_accuracy",
        0.0,
        0.0,
        0.6,
    )


def test_a_retest_flags_the_contributors_qualification_with_the_metric_it_measured(admin, users):
    ops = users.create("ops")
    contributor = new_contributor(ops)
    activate(ops, contributor["id"])
    qualifications = f"/api/v1/contributors/{contributor['id']}/qualifications"
    ops.put(f"{qualifications}/cats", json={"score": 90, "passed": True, "source": "exam"})
    eventually(
        lambda: (
            (r := admin.get(f"/api/v1/contributor-profiles/{contributor['id']}")).status_code == 200
            and [q["name"] for q in r.json()["qualifications"]] == ["cats"]
        )
    )
    alice = users.create("contributor", contributor_id=contributor["id"])
    project, queues = active_project(admin, tasks=3, required_qualification="cats")
    rule = _rule(admin, project["id"], metric="skips_in_row", action="retest", threshold=2)
    _skip(alice, queues["labeling"])
    _skip(alice, queues["labeling"])

    _firings(admin, project["id"])

    flagged = eventually(
        lambda: next(q for q in ops.get(qualifications).json()["items"] if q["name"] == "cats")[
            "retest_reason"
        ]
    )
    assert flagged == f"quality rule {rule['id']}: skips_in_row 2 crossed 2 on project {project['id']}"


def test_a_submitted_answer_breaks_the_skip_streak(admin, users, cluster):
    project, queues = active_project(admin, tasks=3)
    _rule(admin, project["id"], metric="skips_in_row", action="retest", threshold=2)
    alice = worker(users, cluster)
    _skip(alice, queues["labeling"])
    _answer(alice, queues["labeling"])

    assert _firings(admin, project["id"]) == []


def test_answers_per_day_suspend_for_the_rules_period(admin, users, cluster, databases):
    project, queues = active_project(admin, tasks=3)
    _rule(admin, project["id"], metric="answers_per_day", action="suspend", threshold=2, ban_hours=2)
    alice = worker(users, cluster)
    _answer(alice, queues["labeling"])
    _answer(alice, queues["labeling"])

    [firing] = _firings(admin, project["id"])

    assert (firing["value"], firing["evidence"]["answers_last_24h"]) == (2, 2)
    assert len(_bans(databases, alice.contributor_id)) == 1


def test_a_suspended_contributor_gets_403_from_next_while_others_still_work(admin, users, cluster):
    project, queues = active_project(admin, tasks=4)
    _rule(admin, project["id"], metric="answers_per_day", action="suspend", threshold=2, ban_hours=2)
    alice, bob = worker(users, cluster), worker(users, cluster)
    _answer(alice, queues["labeling"])
    _answer(alice, queues["labeling"])
    _firings(admin, project["id"])  # runs the evaluation

    refused = alice.post(f"/api/v1/queues/{queues['labeling']}/next")

    assert refused.status_code == 403 and refused.headers["LabelOps-Queue-Reason"] == "banned"
    assert "suspended" in refused.json()["detail"]
    assert bob.post(f"/api/v1/queues/{queues['labeling']}/next").status_code == 200


def test_low_agreement_raises_the_overlap_up_to_the_cap(admin, users, cluster):
    project, queues = active_project(admin, tasks=1, overlap=2)
    _rule(admin, project["id"], metric="task_agreement", action="raise_overlap", threshold=0.9, max_overlap=3)
    first = _answer(worker(users, cluster), queues["labeling"], "cat")
    _answer(worker(users, cluster), queues["labeling"], "dog")

    [firing] = _firings(admin, project["id"])

    assert (firing["task_id"], firing["value"]) == (first["task_id"], 0.5)
    assert (firing["evidence"]["overlap_before"], firing["evidence"]["overlap_after"]) == (2, 3)
    assert admin.get(f"/api/v1/projects/{project['id']}/stats").json()["progress"]["tasks_completed"] == 0
    _answer(worker(users, cluster), queues["labeling"], "cat")
    assert len(_firings(admin, project["id"])) == 1  # 2 of 3 still disagree, but 3 is the cap
    assert admin.get(f"/api/v1/projects/{project['id']}/stats").json()["progress"]["tasks_completed"] == 1


def _progress(admin, project_id):
    return admin.get(f"/api/v1/projects/{project_id}/stats").json()["progress"]


def test_a_raised_overlap_counts_in_the_units_to_produce(admin, users, cluster):
    project, queues = active_project(admin, tasks=1, overlap=2)
    _rule(admin, project["id"], metric="task_agreement", action="raise_overlap", threshold=0.9, max_overlap=3)
    _answer(worker(users, cluster), queues["labeling"], "cat")
    _answer(worker(users, cluster), queues["labeling"], "dog")

    _firings(admin, project["id"])

    raised = _progress(admin, project["id"])
    _answer(worker(users, cluster), queues["labeling"], "cat")
    done = _progress(admin, project["id"])
    # Before the raise the task needed 2 answers and had them; now it needs a third.
    assert (raised["units_total"], raised["units_left"]) == (3, 1)
    assert (done["units_total"], done["units_submitted"], done["units_left"]) == (3, 3, 0)


def test_a_deleted_rule_no_longer_fires(admin, users, cluster):
    project, queues = active_project(admin, tasks=2)
    rule = _rule(admin, project["id"], metric="answers_per_day", action="retest", threshold=1)
    admin.delete(f"/api/v1/projects/{project['id']}/quality-rules/{rule['id']}")
    _answer(worker(users, cluster), queues["labeling"])

    assert _firings(admin, project["id"]) == []


def test_drift_below_min_quality_revokes_labeling_when_the_project_says_so(admin, users, cluster, databases):
    project, queues = active_project(
        admin, rows=GOLD, gold_ratio=1.0, min_quality=0.8, auto_revoke_on_drift=True
    )
    alice = worker(users, cluster)
    _answer(alice, queues["labeling"], "dog")

    [firing] = _firings(admin, project["id"])

    assert (firing["rule_id"], firing["contributor_id"], firing["action"]) == (
        None,
        alice.contributor_id,
        "suspend",
    )
    [ban] = _bans(databases, alice.contributor_id)
    assert (ban["queue_id"], ban["until"]) == (queues["labeling"], None)


def test_drift_without_auto_revoke_bans_nobody(admin, users, cluster, databases):
    project, queues = active_project(admin, rows=GOLD, gold_ratio=1.0, min_quality=0.8)
    _rule(admin, project["id"], metric="answers_per_day", action="retest", threshold=100)
    alice = worker(users, cluster)
    _answer(alice, queues["labeling"], "dog")

    assert _firings(admin, project["id"]) == []
    assert _bans(databases, alice.contributor_id) == []


def test_the_sweeper_evaluates_rules_without_being_asked(admin, users, cluster):
    project, queues = active_project(admin, tasks=2)
    _rule(admin, project["id"], metric="answers_per_day", action="retest", threshold=1)
    _answer(worker(users, cluster), queues["labeling"])

    firings = eventually(
        lambda: admin.get(f"/api/v1/projects/{project['id']}/quality-rules/firings").json()["items"],
        timeout=20,
    )

    assert firings[0]["metric"] == "answers_per_day"
