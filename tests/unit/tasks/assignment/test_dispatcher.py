"""What the fast dispatcher reads from the FastAPI route definitions, and which calls it binds itself."""

from __future__ import annotations

from services.tasks.assignment.dispatcher import FastDispatcher
from shared.types import MAX_ID

BODY = b'{"answer": "cat", "time_spent_seconds": 7}'
JSON = (b"content-type", b"application/json")


def _routes():
    return {fast.route.path: fast for fast in FastDispatcher(app=None).routes}


def _submit():
    return _routes()["/api/v1/assignments/{assignment_id}/submit"]


def test_the_fast_routes_are_the_loops_two_calls_with_the_endpoints_roles():
    routes = _routes()

    assert set(routes) == {"/api/v1/queues/{queue_id}/next", "/api/v1/assignments/{assignment_id}/submit"}
    assert {fast.roles for fast in routes.values()} == {frozenset({"contributor"})}


def test_a_well_formed_submit_is_bound_with_its_key():
    values = _submit().bind({"assignment_id": "12"}, [JSON, (b"idempotency-key", b"abc")], BODY)

    assert values["assignment_id"] == 12 and values["idempotency_key"] == "abc"
    assert (values["data"].answer, values["data"].time_spent_seconds) == ("cat", 7)


def test_json_with_a_charset_and_no_key_is_bound():
    values = _submit().bind(
        {"assignment_id": "1"}, [(b"content-type", b"Application/JSON; charset=utf-8")], BODY
    )

    assert values["data"].time_spent_seconds == 7 and values["idempotency_key"] is None


def test_anything_fastapi_must_judge_is_left_to_it():
    submit, ok = _submit(), {"assignment_id": "1"}
    cases = [
        submit.bind(ok, [], BODY),
        submit.bind(ok, [(b"content-type", b"text/plain")], BODY),
        submit.bind(ok, [JSON, (b"idempotency-key", b"a"), (b"idempotency-key", b"b")], BODY),
        submit.bind(ok, [JSON, (b"idempotency-key", b"")], BODY),
        submit.bind(ok, [JSON, (b"idempotency-key", b"k" * 201)], BODY),
        submit.bind(ok, [JSON], b'{"answer": "cat", "time_spent_seconds": -1}'),
        submit.bind(ok, [JSON], b'{"answer": "cat", "time_spent_seconds": 7, "extra": 1}'),
        submit.bind(ok, [JSON], b"{not json"),
        submit.bind({"assignment_id": "0"}, [JSON], BODY),
        submit.bind({"assignment_id": str(MAX_ID + 1)}, [JSON], BODY),
    ]

    assert cases == [None] * len(cases)


def test_next_binds_its_queue_id_within_the_api_range():
    next_route = _routes()["/api/v1/queues/{queue_id}/next"]

    assert next_route.bind({"queue_id": "7"}, [], b"") == {"queue_id": 7}
    assert next_route.bind({"queue_id": str(MAX_ID + 1)}, [], b"") is None
