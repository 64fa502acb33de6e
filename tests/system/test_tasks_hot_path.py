"""`next` and `submit` are answered ahead of FastAPI (routes/hot_path.py); whatever that path does not
take is FastAPI's to judge, with the same problem+json answers as every other route."""

from __future__ import annotations

import uuid

from tests.services.tasks.helpers import active_project, worker
from tests.support.sql import query


def _leased(admin, users, cluster):
    _, queues = active_project(admin, tasks=2)
    alice = worker(users, cluster)
    lease = alice.post(f"/api/v1/queues/{queues['labeling']}/next").json()
    return alice, lease["assignment_id"], queues


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def _submissions(databases, assignment_id):
    return query(
        databases.urls["tasks"], "SELECT id FROM submissions WHERE assignment_id = :a", a=assignment_id
    )


def test_a_body_that_does_not_validate_is_422_naming_the_field_and_stores_nothing(
    admin, users, cluster, databases
):
    alice, assignment_id, _ = _leased(admin, users, cluster)
    url = f"/api/v1/assignments/{assignment_id}/submit"

    negative = alice.post(url, json={"answer": "cat", "time_spent_seconds": -1})
    unknown = alice.post(url, json={"answer": "cat", "time_spent_seconds": 3, "score": 1})
    not_json = alice.post(url, content=b"{nope", headers={"Content-Type": "application/json"})

    assert _problem(negative, 422)["errors"][0]["field"] == "time_spent_seconds"
    assert _problem(unknown, 422)["errors"][0]["field"] == "score"
    assert _problem(not_json, 400)["type"].endswith("malformed-body")
    assert _submissions(databases, assignment_id) == []
    # The lease is untouched: a good answer afterwards is taken.
    good = alice.post(url, json={"answer": "cat", "time_spent_seconds": 3})
    assert good.status_code == 201


def test_a_body_that_is_not_json_is_refused_as_fastapi_refuses_it(admin, users, cluster, databases):
    alice, assignment_id, _ = _leased(admin, users, cluster)

    response = alice.post(
        f"/api/v1/assignments/{assignment_id}/submit",
        content=b'{"answer": "cat", "time_spent_seconds": 3}',
        headers={"Content-Type": "text/plain"},
    )

    assert 400 <= _problem(response, response.status_code)["status"] < 500
    assert _submissions(databases, assignment_id) == []


def test_an_idempotency_key_too_long_is_422_naming_the_header(admin, users, cluster, databases):
    alice, assignment_id, _ = _leased(admin, users, cluster)

    response = alice.post(
        f"/api/v1/assignments/{assignment_id}/submit",
        json={"answer": "cat", "time_spent_seconds": 3},
        headers={"Idempotency-Key": "k" * 201},
    )

    assert _problem(response, 422)["errors"][0]["field"].lower() == "idempotency-key"
    assert _submissions(databases, assignment_id) == []


def test_ids_beyond_the_api_range_are_422_naming_the_path_parameter(admin, users, cluster):
    alice, _, _ = _leased(admin, users, cluster)

    queue = alice.post("/api/v1/queues/2147483648/next")
    assignment = alice.post(
        "/api/v1/assignments/99999999999/submit", json={"answer": "cat", "time_spent_seconds": 3}
    )

    assert _problem(queue, 422)["errors"][0]["field"] == "queue_id"
    assert _problem(assignment, 422)["errors"][0]["field"] == "assignment_id"


def test_staff_calling_the_assignment_loop_get_403(admin, users, cluster):
    _, queues = active_project(admin, tasks=1)

    response = admin.post(f"/api/v1/queues/{queues['labeling']}/next")

    assert "contributor" in _problem(response, 403)["detail"]


def test_a_replayed_submit_through_the_hot_path_is_answered_once(admin, users, cluster, databases):
    alice, assignment_id, _ = _leased(admin, users, cluster)
    key = uuid.uuid4().hex
    body = {"answer": "cat", "time_spent_seconds": 3}
    url = f"/api/v1/assignments/{assignment_id}/submit"

    first = alice.post(url, json=body, headers={"Idempotency-Key": key})
    again = alice.post(url, json=body, headers={"Idempotency-Key": key})
    other_body = alice.post(url, json={**body, "answer": "dog"}, headers={"Idempotency-Key": key})

    assert (first.status_code, again.status_code) == (201, 201) and again.json() == first.json()
    assert other_body.status_code == 422
    assert len(_submissions(databases, assignment_id)) == 1
