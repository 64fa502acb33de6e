"""The assignment loop's two calls, `next` and `submit`, answered ahead of FastAPI's request handling.

Profiling the loop (bench/) showed FastAPI's routing, dependency solving and exception layers costing
more per call than the work itself. A well-formed call goes from here straight to the same endpoint
functions (routes/queues.py `lease_next`, routes/assignments.py `submit`) with the values FastAPI
would have given them. Anything else (an id out of range, a body or header that does not validate, a
caller without the role) is passed on to FastAPI untouched, so its answers and the OpenAPI document
stay FastAPI's own.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, get_args

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from services.tasks.deps import Worker
from services.tasks.routes import assignments, queues
from services.tasks.schemas.assignments import SubmissionCreate
from shared.errors import handled
from shared.metrics import RouteLabel
from shared.rawsql import RawConnection, request_connection
from shared.types import MAX_ID

NEXT = re.compile(r"/api/v1/queues/([1-9][0-9]{0,9})/next")
SUBMIT = re.compile(r"/api/v1/assignments/([1-9][0-9]{0,9})/submit")
NEXT_ROUTE = RouteLabel("/api/v1/queues/{queue_id}/next")
SUBMIT_ROUTE = RouteLabel("/api/v1/assignments/{assignment_id}/submit")
# The roles the endpoints' own `Worker` dependency allows.
WORKER_ROLES = get_args(Worker)[1].dependency.allowed_roles
IDEMPOTENCY_KEY = b"idempotency-key"
IDEMPOTENCY_KEY_MAX = 200

Endpoint = Callable[[RawConnection], Awaitable[Response]]


class AssignmentHotPath:
    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        principal = scope.get("state", {}).get("principal") if scope["type"] == "http" else None
        if principal is None or scope["method"] != "POST" or not principal.has_any(*WORKER_ROLES):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if (match := NEXT.fullmatch(path)) and int(match[1]) <= MAX_ID:
            queue_id = int(match[1])

            async def lease(connection: RawConnection) -> Response:
                return await queues.lease_next(queue_id=queue_id, connection=connection, principal=principal)

            await _answer(scope, receive, send, NEXT_ROUTE, lease)
            return
        if not ((match := SUBMIT.fullmatch(path)) and int(match[1]) <= MAX_ID):
            await self.app(scope, receive, send)
            return
        body = await _body(receive)
        parsed = _submission(scope, body)
        if parsed is None:
            await self.app(scope, _replaying(body, receive), send)
            return
        data, key = parsed
        assignment_id = int(match[1])

        async def record(connection: RawConnection) -> Response:
            return await assignments.submit(
                assignment_id=assignment_id,
                data=data,
                connection=connection,
                principal=principal,
                idempotency_key=key,
            )

        await _answer(scope, _replaying(body, receive), send, SUBMIT_ROUTE, record)


async def _answer(scope: dict, receive: Any, send: Any, route: RouteLabel, endpoint: Endpoint) -> None:
    """Run `endpoint` on the request's connection, as the FastAPI route with its dependencies would."""
    scope["route"] = route
    request = Request(scope, receive)
    try:
        async with request_connection(request) as connection:
            response = await endpoint(connection)
    except Exception as exc:
        response = await handled(request, exc)
    await response(scope, receive, send)


def _submission(scope: dict, body: bytes) -> tuple[SubmissionCreate, str | None] | None:
    """The body and Idempotency-Key as the submit route would bind them; None when FastAPI should judge."""
    content_type, keys = b"", []
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value
        elif name == IDEMPOTENCY_KEY:
            keys.append(value.decode("latin-1"))
    if content_type.split(b";")[0].strip().lower() != b"application/json" or len(keys) > 1:
        return None
    key = keys[0] if keys else None
    if key is not None and not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        return None
    try:
        return SubmissionCreate.model_validate_json(body), key
    except ValidationError:
        return None


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Any) -> Any:
    """A `receive` that hands over the body already read, then whatever the client sends next."""
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
