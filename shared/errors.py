"""Domain errors and their RFC 9457 problem+json rendering, in one place for every service."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from shared.logging import request_id_var

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://labelops.dev/problems/"

log = logging.getLogger("labelops.errors")


class ProblemResponse(Response):
    media_type = PROBLEM_JSON

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class DomainError(Exception):
    """Base of every error a client can cause; subclasses fix the HTTP status and problem type."""

    status = 400
    type_slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None, headers=None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


class BadRequest(DomainError):
    pass


class Unauthorized(DomainError):
    status, type_slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str = "missing or invalid credentials", **kw):
        kw.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kw)


class Forbidden(DomainError):
    status, type_slug, title = 403, "forbidden", "Forbidden"


class NotFound(DomainError):
    status, type_slug, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, type_slug, title = 409, "conflict", "Conflict"


class InvalidTransition(Conflict):
    type_slug, title = "invalid-transition", "Invalid status transition"

    def __init__(self, current: str, target: str, allowed: list[str]):
        allowed_text = ", ".join(allowed) if allowed else "none (terminal status)"
        super().__init__(
            f"cannot move from '{current}' to '{target}'; allowed: {allowed_text}",
            current=current,
            target=target,
            allowed=allowed,
        )


class PreconditionFailed(DomainError):
    status, type_slug, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(DomainError):
    status, type_slug, title = 428, "precondition-required", "Precondition required"


class Unprocessable(DomainError):
    status, type_slug, title = 422, "validation-error", "Request validation failed"


class PayloadTooLarge(DomainError):
    status, type_slug, title = 413, "payload-too-large", "Request body too large"


class TooManyRequests(DomainError):
    status, type_slug, title = 429, "rate-limited", "Too many requests"


class ServiceUnavailable(DomainError):
    status, type_slug, title = 503, "service-unavailable", "Service unavailable"


def problem_response(
    *,
    status: int,
    title: str,
    detail: str,
    type_slug: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
    **extra: Any,
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    return ProblemResponse(body, status_code=status, headers=headers)


def field_pointer(loc: tuple[Any, ...] | list[Any]) -> str:
    """JSON pointer of a pydantic error location, without the leading 'body'/'query' part."""
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in ("body", "query", "path", "header") else list(loc)
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def validation_errors(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for err in raw:
        loc = tuple(err.get("loc", ()))
        out.append(
            {
                "pointer": field_pointer(loc),
                "field": ".".join(str(p) for p in loc[1:]) if len(loc) > 1 else ".".join(map(str, loc)),
                "in": str(loc[0]) if loc else "body",
                "detail": err.get("msg", "invalid"),
                "type": err.get("type", "value_error"),
            }
        )
    return out


async def _domain_error(request: Request, exc: DomainError) -> ProblemResponse:
    return problem_response(
        status=exc.status,
        title=exc.title,
        detail=exc.detail,
        type_slug=exc.type_slug,
        errors=exc.errors,
        headers=exc.headers,
        instance=request.url.path,
        **exc.extra,
    )


async def _validation_error(request: Request, exc: RequestValidationError) -> ProblemResponse:
    raw = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem_response(
            status=400,
            title="Malformed request body",
            detail="the request body is not valid JSON",
            type_slug="malformed-body",
            instance=request.url.path,
        )
    errors = validation_errors(raw)
    names = ", ".join(e["field"] or e["pointer"] for e in errors[:5])
    return problem_response(
        status=422,
        title="Request validation failed",
        detail=f"invalid field(s): {names}",
        type_slug="validation-error",
        errors=errors,
        instance=request.url.path,
    )


async def problem_for(request: Request, exc: DomainError | RequestValidationError) -> ProblemResponse:
    """The problem response the handlers would answer for `exc`, for a route that must answer it without
    raising (its transaction then commits, e.g. to keep a record of the refusal)."""
    if isinstance(exc, RequestValidationError):
        return await _validation_error(request, exc)
    return await _domain_error(request, exc)


async def _http_error(request: Request, exc: StarletteHTTPException) -> ProblemResponse:
    titles = {404: "Not found", 405: "Method not allowed", 413: PayloadTooLarge.title}
    return problem_response(
        status=exc.status_code,
        title=titles.get(exc.status_code, "HTTP error"),
        detail=str(exc.detail),
        type_slug={404: "not-found", 405: "method-not-allowed", 413: PayloadTooLarge.type_slug}.get(
            exc.status_code, "http-error"
        ),
        headers=getattr(exc, "headers", None),
        instance=request.url.path,
    )


def _error_class_names(exc: Exception) -> set[str]:
    """The class names of a database error's DBAPI error and of the driver's own under it: the raw path
    (shared.rawsql) wraps the driver's error directly, SQLAlchemy's asyncpg dialect wraps an emulated
    DBAPI error around it."""
    names: set[str] = set()
    original = getattr(exc, "orig", None)
    for _ in range(2):
        if original is None:
            break
        names.update(t.__name__ for t in type(original).__mro__)
        original = getattr(original, "orig", None)
    return names


def _is_out_of_range(exc: Exception) -> bool:
    """A value the database cannot store (an integer beyond its column, a string too long, a NUL)."""
    original = getattr(exc, "orig", None)
    names = _error_class_names(exc)
    text = str(original or exc).lower()
    return bool(
        names
        & {"DataError", "NumericValueOutOfRangeError", "StringDataRightTruncationError", "OverflowError"}
        or "too large to convert" in text
        or "out of range" in text
        # PostgreSQL stores no NUL character in text (SQLite does): a client can send one in any string.
        or "invalid byte sequence" in text
    )


# asyncpg's names for a server that refuses connections or ends them (SQLSTATE classes 08 and 57P).
_UNAVAILABLE_DRIVER_ERRORS = {
    "TooManyConnectionsError",
    "CannotConnectNowError",
    "PostgresConnectionError",
    "AdminShutdownError",
    "CrashShutdownError",
    # Two requests locking the same rows in opposite orders (two merges of a pair of tickets): PostgreSQL
    # rolls one back; it is the client's to retry, never an internal error.
    "DeadlockDetectedError",
    "SerializationError",
}


def _is_unavailable(exc: Exception) -> bool:
    """The database refused or dropped the connection, or the pool had none free in time."""
    if isinstance(exc, SQLAlchemyTimeoutError | ConnectionError) or getattr(
        exc, "connection_invalidated", False
    ):
        return True
    return bool(_error_class_names(exc) & _UNAVAILABLE_DRIVER_ERRORS)


async def _database_error(
    request: Request, exc: DBAPIError | OverflowError | SQLAlchemyTimeoutError | ConnectionError
) -> ProblemResponse:
    if _is_unavailable(exc):
        return problem_response(
            status=503,
            title="Service unavailable",
            detail="the database is busy; retry shortly",
            type_slug="service-unavailable",
            headers={"Retry-After": "1"},
            instance=request.url.path,
        )
    if _is_out_of_range(exc):
        return problem_response(
            status=422,
            title="Request validation failed",
            detail="a value is out of the range this API accepts",
            type_slug="validation-error",
            errors=[],
            instance=request.url.path,
        )
    return _internal_error(request)


def _internal_error(request: Request, *, headers: dict[str, str] | None = None) -> ProblemResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        status=500,
        title="Internal server error",
        detail="an unexpected error occurred; quote the request id when reporting it",
        type_slug="internal-error",
        headers=headers,
    )


async def _unexpected_error(request: Request, exc: Exception) -> ProblemResponse:
    # Starlette runs this handler outside every middleware, so the request id comes from the scope.
    request_id = getattr(request.state, "request_id", None)
    token = request_id_var.set(request_id)
    try:
        return _internal_error(request, headers={"X-Request-ID": request_id} if request_id else None)
    finally:
        request_id_var.reset(token)


class UnexpectedErrorMiddleware:
    """Answers an error no handler knows with a 500 problem, and the exception stops here.

    Starlette's own last resort answers and then re-raises to the server, and uvicorn then closes the
    connection without having said so: the client loses its keep-alive connection, and a request already
    on its way on it (a proxy's pooled connection) is lost. An answer already started cannot be finished,
    so that exception goes on and the server closes the connection, as it must.
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception as exc:
            if started:
                raise
            request = Request(scope)
            own = _own_last_resort(scope)
            response = await own(request, exc) if own is not None else _internal_error(request)
            await response(scope, receive, send)


def _own_last_resort(scope: dict) -> Callable[[Request, Exception], Awaitable[Response]] | None:
    """An app's own handler of unexpected errors (the console answers a page, not problem+json), if it
    registered one in place of ours."""
    handler = getattr(scope.get("app"), "exception_handlers", {}).get(Exception)
    return None if handler in (None, _unexpected_error) else handler


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    # The SQLite driver raises a bare OverflowError for integers beyond 64 bits.
    app.add_exception_handler(OverflowError, _database_error)
    app.add_exception_handler(SQLAlchemyTimeoutError, _database_error)
    # A refused or reset connect to the database reaches us unwrapped (the driver raises it as OSError).
    app.add_exception_handler(ConnectionError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)
    # Inside every middleware added later, so its 500s carry their headers (request id, security).
    app.add_middleware(UnexpectedErrorMiddleware)


async def handled(request: Request, exc: Exception) -> Response:
    """The app's handler response for `exc` (problem+json), as FastAPI's exception middleware would
    give it; for pure ASGI layers that answer before FastAPI's routing."""
    handlers = request.app.exception_handlers
    for cls in type(exc).__mro__:
        if cls is Exception:
            # Inside the middleware, unlike Starlette's last resort: the request id header is added there.
            return _internal_error(request)
        if cls in handlers:
            return await handlers[cls](request, exc)
    raise exc
