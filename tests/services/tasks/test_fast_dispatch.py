"""The fast dispatcher and FastAPI answer every assignment-loop request identically: status, headers, body.

Two tasks apps share one database: `fast` as the service runs, `plain` with the dispatcher serving no
route, so FastAPI answers everything. Each request goes to both, with the same X-Request-ID. Where the
first answer changes state, the pair is chosen so the second answer is the same by the API's own
contract: a repeated `next` at a cap of one hands out the held lease again, a repeated submit with the
same Idempotency-Key replays the stored response.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from services.tasks.app import create_app
from services.tasks.assignment import dispatcher
from services.tasks.settings import TasksSettings
from shared.auth import Principal, issue_internal_token
from shared.types import MAX_ID
from tests.services.tasks.worlds import World, build

SECRET = "d" * 40


@dataclass
class Apps:
    fast: httpx.AsyncClient
    plain: httpx.AsyncClient

    async def both(self, principal: Principal, method: str, url: str, **kw) -> tuple[httpx.Response, ...]:
        token = issue_internal_token(principal, secret=SECRET, ttl_seconds=300)
        headers = {
            "Authorization": f"Bearer {token}",
            "X-Request-ID": uuid.uuid4().hex,
            **kw.pop("headers", {}),
        }
        fast = await self.fast.request(method, url, headers=headers, **kw)
        plain = await self.plain.request(method, url, headers=headers, **kw)
        return fast, plain


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tasks")


@pytest.fixture(scope="module")
async def apps(databases) -> AsyncIterator[Apps]:
    settings = TasksSettings(database_url=databases.urls["tasks"], internal_token_secret=SECRET)
    fast, plain = create_app(settings), create_app(settings)
    async with (
        fast.router.lifespan_context(fast),
        plain.router.lifespan_context(plain),
        _client(fast) as fast_client,
        _client(plain) as plain_client,
    ):
        # The plain app's dispatcher is built at its first request, while it is told to serve nothing.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(dispatcher, "FAST_ENDPOINTS", ())
            await plain_client.get("/healthz")
        await fast_client.get("/healthz")
        assert (len(_dispatcher_of(fast).routes), _dispatcher_of(plain).routes) == (2, [])
        yield Apps(fast_client, plain_client)


def _dispatcher_of(app) -> dispatcher.FastDispatcher:
    layer = app.middleware_stack
    while not isinstance(layer, dispatcher.FastDispatcher):
        layer = layer.app
    return layer


def assert_identical(fast: httpx.Response, plain: httpx.Response) -> None:
    assert fast.status_code == plain.status_code, (fast.text, plain.text)
    assert fast.headers.multi_items() == plain.headers.multi_items()
    assert fast.content == plain.content


async def test_next_leases_and_a_repeated_next_hands_out_the_same_lease(apps, db):
    world = await build(World(db))

    leased, again = await apps.both(world.principal, "POST", f"/api/v1/queues/{world.queue_id}/next")

    assert leased.status_code == 200
    assert_identical(leased, again)


async def test_no_work_answers_are_identical(apps, db):
    for world in [
        await build(World(db, project={"required_languages": ["fr"]})),
        await build(World(db, project={"status": "paused"})),
        await build(World(db, profile={"status": "suspended"})),
    ]:
        fast, plain = await apps.both(world.principal, "POST", f"/api/v1/queues/{world.queue_id}/next")

        assert fast.status_code == 204
        assert_identical(fast, plain)


async def test_refusals_and_invalid_calls_to_next_are_identical(apps, db):
    world = await build(World(db, grant={"contributor_id": 1}))
    staff = Principal(subject="ops", roles=frozenset({"ops"}), user_id=5)
    unlinked = Principal(subject="c", roles=frozenset({"contributor"}))
    calls = [
        (world.principal, f"/api/v1/queues/{world.queue_id}/next"),  # no grant: 404
        (world.principal, "/api/v1/queues/0/next"),
        (world.principal, f"/api/v1/queues/{MAX_ID + 1}/next"),
        (world.principal, "/api/v1/queues/abc/next"),
        (staff, f"/api/v1/queues/{world.queue_id}/next"),
        (unlinked, f"/api/v1/queues/{world.queue_id}/next"),
    ]
    for principal, url in calls:
        fast, plain = await apps.both(principal, "POST", url)

        assert fast.status_code >= 400
        assert_identical(fast, plain)


async def test_a_query_parameter_no_route_declares_is_refused_the_same_way(apps, db):
    world = await build(World(db))

    fast, plain = await apps.both(world.principal, "POST", f"/api/v1/queues/{world.queue_id}/next?wait=30")

    assert fast.status_code == 422 and fast.json()["errors"][0]["field"] == "wait"
    assert_identical(fast, plain)


async def test_a_submit_and_its_replay_are_identical(apps, db):
    world = await build(World(db))
    lease, _ = await apps.both(world.principal, "POST", f"/api/v1/queues/{world.queue_id}/next")
    url = f"/api/v1/assignments/{lease.json()['assignment_id']}/submit"
    answer = {"answer": "cat", "time_spent_seconds": 4}

    stored, replayed = await apps.both(
        world.principal, "POST", url, json=answer, headers={"Idempotency-Key": "k1"}
    )
    other_body = await apps.both(
        world.principal,
        "POST",
        url,
        json={**answer, "time_spent_seconds": 5},
        headers={"Idempotency-Key": "k1"},
    )
    closed = await apps.both(world.principal, "POST", url, json=answer)

    assert stored.status_code == 201
    assert_identical(stored, replayed)
    assert other_body[0].status_code >= 400
    assert_identical(*other_body)
    assert closed[0].status_code == 409
    assert_identical(*closed)


async def test_invalid_submits_are_identical(apps, db):
    world = await build(World(db))
    lease, _ = await apps.both(world.principal, "POST", f"/api/v1/queues/{world.queue_id}/next")
    url = f"/api/v1/assignments/{lease.json()['assignment_id']}/submit"
    stranger = await build(World(db))
    good = b'{"answer": "cat", "time_spent_seconds": 3}'
    calls = [
        (world.principal, url, {"content": b'{"answer": "cat", "time_spent_seconds": -1}'}),
        (world.principal, url, {"content": b'{"answer": "cat", "time_spent_seconds": 3, "x": 1}'}),
        (world.principal, url, {"content": b"{nope"}),
        (world.principal, url, {"content": good, "headers": {"Content-Type": "text/plain"}}),
        (world.principal, url, {"content": good, "headers": {"Idempotency-Key": "k" * 201}}),
        (world.principal, url, {"content": b'{"answer": "bird", "time_spent_seconds": 3}'}),
        (world.principal, "/api/v1/assignments/0/submit", {"content": good}),
        (stranger.principal, url, {"content": good}),
    ]
    for principal, target, kw in calls:
        headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
        fast, plain = await apps.both(principal, "POST", target, headers=headers, **kw)

        assert fast.status_code >= 400
        assert_identical(fast, plain)
