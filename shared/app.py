"""The common frame of every LabelOps process: middleware, errors, health, metrics, events, lifespan."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse

from shared.auth import InternalAuthMiddleware
from shared.db import Database
from shared.errors import install_error_handlers
from shared.events import EventHandler, EventTables, OutboxDispatcher, events_router, outbox_lag_hook
from shared.http import ServiceClient, make_client
from shared.logging import REQUEST_ID_HEADER, accept_request_id, configure_logging, request_id_var
from shared.metrics import mark_worker_exited, metrics_endpoint, observe_request
from shared.query import reject_unknown_query_parameters
from shared.settings import ServiceSettings

log = logging.getLogger("labelops.access")


class RequestContextMiddleware:
    """Adopts or mints the request id and echoes it, then counts and times the request by route
    template (never raw paths, which carry ids) and writes one access-log line. One layer rather than
    two: each ASGI layer wraps every message of every request."""

    def __init__(self, app: Any, service: str):
        self.app = app
        self.service = service

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.lower().encode())
        request_id = accept_request_id(raw.decode("latin-1") if raw else None)
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            observe_request(self.service, scope, status, elapsed)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "%s %s %s",
                    scope.get("method"),
                    scope.get("path"),
                    status,
                    extra={
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            request_id_var.reset(token)


Hook = Callable[[FastAPI], Awaitable[None]]


@dataclass
class ServiceParts:
    """What a service plugs into the common frame."""

    settings: ServiceSettings
    title: str
    routers: Sequence[APIRouter]
    event_tables: EventTables | None = None
    event_handlers: Mapping[str, EventHandler] = field(default_factory=dict)
    on_startup: Sequence[Hook] = ()
    on_shutdown: Sequence[Hook] = ()
    public_routers: Sequence[APIRouter] = ()
    description: str = ""
    # Extra readiness checks by name (the gateway checks each service): return None when ready,
    # else a short reason.
    readiness_checks: Mapping[str, Callable[[FastAPI], Awaitable[str | None]]] = field(default_factory=dict)
    docs: bool = True
    # Async functions run before each /metrics scrape, to set gauges computed from the database.
    scrape_hooks: Sequence[Hook] = ()
    # Pure ASGI middleware inside the request-context layer (so requests they answer are logged and
    # counted), in front of FastAPI's routing.
    inner_middleware: Sequence[type] = ()
    # False for a process that keeps no state of its own (the console, a client of the gateway): no
    # engine, no pool, and readiness is its own checks only.
    database: bool = True


def create_service_app(parts: ServiceParts) -> FastAPI:
    """Build a service app; `routers` sit behind the internal token, `public_routers` do not."""
    settings = parts.settings
    configure_logging(settings.service_name, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.http = make_client(timeout_seconds=settings.http_timeout_seconds)
        app.state.services = ServiceClient(client=app.state.http, settings=settings)
        if parts.event_tables is not None:
            app.state.dispatcher = OutboxDispatcher(
                source=settings.service_name,
                tables=parts.event_tables,
                sessionmaker=app.state.db.sessionmaker,
                destination_url=settings.service_url,
                secret=settings.internal_token_secret.get_secret_value(),
                client=app.state.http,
                poll_seconds=settings.outbox_poll_seconds,
            )
            app.state.dispatcher.start()
        if parts.database and settings.database_pool_prefill:
            await app.state.db.fill_pool(settings.database_pool_size)
        for hook in parts.on_startup:
            await hook(app)
        # Everything built at startup (app, models, schemas) lives as long as the process: kept out of
        # the collector's generations, a full collection no longer walks it mid-request (tail latency).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            for hook in parts.on_shutdown:
                await hook(app)
            if getattr(app.state, "dispatcher", None) is not None:
                await app.state.dispatcher.stop()
            await app.state.http.aclose()
            if parts.database:
                await app.state.db.dispose()
            mark_worker_exited()

    app = FastAPI(
        title=parts.title,
        description=parts.description,
        lifespan=lifespan,
        # A misspelt filter must not answer as if it had been applied: every route refuses the query
        # parameters it does not declare (shared/query.py).
        dependencies=[Depends(reject_unknown_query_parameters)],
        docs_url="/docs" if parts.docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if parts.docs else None,
    )
    app.state.settings = settings
    app.state.scrape_hooks = list(parts.scrape_hooks)
    if parts.event_tables is not None:
        app.state.scrape_hooks.append(
            outbox_lag_hook(service=settings.service_name, tables=parts.event_tables)
        )
    own_checks = {"database": _database_ready} if parts.database else {}
    app.state.readiness_checks = {**own_checks, **parts.readiness_checks}
    if parts.database:
        app.state.db = Database.connect(
            settings.effective_database_url,
            pool_size=settings.database_pool_size,
            plan_cache_mode=settings.database_plan_cache_mode,
        )
    install_error_handlers(app)
    for middleware in reversed(parts.inner_middleware):
        app.add_middleware(middleware)
    if parts.routers or parts.event_tables is not None:
        # A service's whole API is internal; an app with only public routes (the gateway) guards /internal.
        prefixes = InternalAuthMiddleware.PROTECTED if parts.routers else ("/internal/",)
        app.add_middleware(
            InternalAuthMiddleware,
            secret=settings.internal_token_secret.get_secret_value(),
            prefixes=prefixes,
        )
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)

    # Probes stay out of the API document: they are for orchestrators, not API clients.
    app.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    app.add_api_route("/readyz", readyz, methods=["GET"], include_in_schema=False)
    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"], tags=["health"], include_in_schema=False)

    for router in parts.routers:
        unguarded = [r.path for r in router.routes if not r.path.startswith(InternalAuthMiddleware.PROTECTED)]
        if unguarded:
            raise ValueError(f"service routes must live under /api/ or /internal/: {unguarded}")
        app.include_router(router)
    if parts.event_tables is not None:
        app.include_router(events_router(tables=parts.event_tables, handlers=parts.event_handlers))
    for router in parts.public_routers:
        app.include_router(router)
    return app


async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _database_ready(app: FastAPI) -> str | None:
    try:
        await app.state.db.ping()
    except Exception as exc:  # any driver error means "not ready", which is what the probe asks
        return f"database unavailable: {type(exc).__name__}"
    return None


async def readyz(request: Request, local: bool = False) -> JSONResponse:
    """Ready when every check passes; `?local=true` checks only this process's own database (none for a
    process without one), which is what an orchestrator should gate traffic on (one service down must not
    take the gateway out too)."""
    checks = request.app.state.readiness_checks
    if local:
        checks = {name: check for name, check in checks.items() if name == "database"}
    results = await asyncio.gather(*(check(request.app) for check in checks.values()))
    report = {name: reason or "ok" for name, reason in zip(checks, results, strict=True)}
    ready = all(reason is None for reason in results)
    body = {"status": "ready" if ready else "not ready", "service": request.app.state.settings.service_name}
    return JSONResponse({**body, "checks": report}, status_code=200 if ready else 503)
