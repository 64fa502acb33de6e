"""The fast dispatcher: `next` and `submit` answered ahead of FastAPI's request handling.

Profiling the loop (bench/) showed FastAPI's routing, dependency solving and exception layers costing
more per call than the work itself. This is the one declared exception to "FastAPI serves every route":
it serves only the routes in `FAST_ENDPOINTS`, and everything it needs it reads from their FastAPI
definitions (routes.py) — the path to match (Starlette's own
matcher), the roles (the endpoint's access dependency), how to validate each path parameter, header and
the body (FastAPI's own fields). A well-formed call goes straight to the same endpoint function with the
values FastAPI would have bound; anything else (a value that does not validate, a caller without the
role, a body that is not JSON) is passed on to FastAPI untouched, so its answers stay FastAPI's own.
tests/system/test_tasks_fast_dispatch.py holds the two to answer identically.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from services.tasks.assignment import routes
from shared.errors import handled
from shared.rawsql import RawConnection, request_connection

FAST_ENDPOINTS = (routes.lease_next, routes.submit)


@dataclass(frozen=True)
class FastRoute:
    """What one FastAPI route definition says about binding a call to its endpoint."""

    route: APIRoute
    roles: frozenset[str]
    principal_param: str
    connection_param: str

    @classmethod
    def of(cls, route: APIRoute) -> FastRoute:
        dependant = route.dependant
        principal = [d for d in dependant.dependencies if hasattr(d.call, "allowed_roles")]
        connection = [d for d in dependant.dependencies if d not in principal]
        if len(principal) != 1 or len(connection) != 1 or len(dependant.body_params) > 1:
            raise TypeError(f"{route.path} is not a route the fast dispatcher can bind")
        if dependant.query_params or dependant.cookie_params or len(dependant.header_params) > 1:
            raise TypeError(f"{route.path} is not a route the fast dispatcher can bind")
        return cls(route, principal[0].call.allowed_roles, principal[0].name, connection[0].name)

    def bind(
        self, path_params: dict[str, str], headers: list[tuple[bytes, bytes]], body: bytes
    ) -> dict | None:
        """The endpoint's keyword arguments, validated as FastAPI validates them; None when any value
        does not validate or the request is one FastAPI should judge (it then answers the error)."""
        dependant = self.route.dependant
        values: dict[str, Any] = {}
        for field in dependant.path_params:
            value, errors = field.validate(path_params[field.alias], loc=("path", field.alias))
            if errors:
                return None
            values[field.name] = value
        for field in dependant.header_params:
            name = field.alias.lower().encode("latin-1")
            sent = [v.decode("latin-1") for n, v in headers if n == name]
            if len(sent) > 1:
                return None
            if not sent:
                if field.field_info.is_required():
                    return None
                values[field.name] = field.field_info.get_default(call_default_factory=True)
                continue
            value, errors = field.validate(sent[0], loc=("header", field.alias))
            if errors:
                return None
            values[field.name] = value
        for field in dependant.body_params:
            content_type = next((v for n, v in headers if n == b"content-type"), b"")
            if content_type.split(b";")[0].strip().lower() != b"application/json":
                return None
            try:
                decoded = json.loads(body)
            except ValueError:
                return None
            value, errors = field.validate(decoded, loc=("body",))
            if errors:
                return None
            values[field.name] = value
        return values


class FastDispatcher:
    """Pure ASGI middleware in front of FastAPI's routing, serving the routes of `FAST_ENDPOINTS`."""

    def __init__(self, app: Any):
        self.app = app
        self.routes = [
            FastRoute.of(r)
            for r in routes.router.routes
            if isinstance(r, APIRoute) and r.endpoint in FAST_ENDPOINTS
        ]

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        principal = scope.get("state", {}).get("principal") if scope["type"] == "http" else None
        if principal is None:
            await self.app(scope, receive, send)
            return
        if scope.get("query_string"):
            # The fast routes declare no query parameter: FastAPI refuses any sent (shared/query.py).
            await self.app(scope, receive, send)
            return
        for fast in self.routes:
            match, child = fast.route.matches(scope)
            if match is Match.FULL and principal.has_any(*fast.roles):
                await self._dispatch(fast, child["path_params"], principal, scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _dispatch(
        self, fast: FastRoute, path_params: dict, principal: Any, scope: dict, receive: Any, send: Any
    ) -> None:
        body = b""
        if fast.route.dependant.body_params:
            body = await _body(receive)
            receive = _replaying(body, receive)
        values = fast.bind(path_params, scope["headers"], body)
        if values is None:
            await self.app(scope, receive, send)
            return

        async def call(connection: RawConnection) -> Response:
            values[fast.principal_param] = principal
            values[fast.connection_param] = connection
            return await fast.route.endpoint(**values)

        await _answer(scope, receive, send, fast.route, call)


async def _answer(
    scope: dict, receive: Any, send: Any, route: APIRoute, endpoint: Callable[[RawConnection], Any]
) -> None:
    """Run `endpoint` on the request's connection, as the FastAPI route with its dependencies would."""
    scope["route"] = route
    request = Request(scope, receive)
    try:
        async with request_connection(request) as connection:
            response = await endpoint(connection)
    except Exception as exc:
        response = await handled(request, exc)
    await response(scope, receive, send)


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
