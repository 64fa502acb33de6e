"""The gateway: authentication, users, the route table to the services, one OpenAPI, composed reports."""

import logging

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from services.gateway.events import HANDLERS
from services.gateway.models import event_tables
from services.gateway.routes import api_keys, audit, auth, forwarding, openapi, reports, users
from services.gateway.routes.forwarding import ForwardingMiddleware
from services.gateway.rules.client_address import trusted_networks
from services.gateway.rules.passwords import Passwords
from services.gateway.service.auth import VerifiedTokens
from services.gateway.service.callers import CallerCache
from services.gateway.service.forwarding import InternalTokens, upstream_session
from services.gateway.service.rate_limits import make_rate_limiter
from services.gateway.service.response_headers import GatewayHeadersMiddleware
from services.gateway.service.signing_keys import load_or_create_signing_keys
from services.gateway.service.users import ensure_bootstrap_admin
from services.gateway.settings import GatewaySettings, get_settings
from shared.app import ServiceParts, create_service_app
from shared.http import make_client
from shared.settings import SERVICE_NAMES

log = logging.getLogger("labelops.gateway")

DESCRIPTION = (
    "LabelOps runs data-labeling operations: contributors, vendors and the labeling work itself. "
    "Authenticate with `POST /api/v1/auth/token` and send `Authorization: Bearer <access_token>`."
)


async def _start(app: FastAPI) -> None:
    settings: GatewaySettings = app.state.settings
    app.state.keys = load_or_create_signing_keys(
        settings.effective_jwt_key_file, create=settings.environment != "production"
    )
    app.state.upstream = make_client(
        timeout_seconds=settings.upstream_timeout_seconds,
        connect_timeout_seconds=settings.upstream_connect_timeout_seconds,
        max_connections=500,
    )
    app.state.proxy_session = upstream_session(
        connect_timeout=settings.upstream_connect_timeout_seconds,
        total_timeout=settings.upstream_timeout_seconds,
        keepalive_seconds=settings.upstream_keepalive_seconds,
    )
    app.state.openapi_cache = None
    app.state.passwords = Passwords(settings.password_hash_profile)
    app.state.limiter = make_rate_limiter(settings)
    app.state.verified_tokens = VerifiedTokens()
    app.state.callers = CallerCache(
        ttl_seconds=settings.caller_cache_seconds,
        redis_url=settings.redis_url,
        namespace=settings.rate_limit_namespace,
    )
    await app.state.callers.start()
    app.state.internal_tokens = InternalTokens(
        secret=settings.internal_token_secret.get_secret_value(),
        ttl_seconds=settings.internal_token_ttl_seconds,
    )
    if settings.admin_email and settings.admin_password:
        async with app.state.db.sessionmaker() as session, session.begin():
            created = await ensure_bootstrap_admin(
                session=session,
                email=settings.admin_email,
                password=settings.admin_password.get_secret_value(),
                passwords=app.state.passwords,
            )
        if created:
            log.info("bootstrap admin created")


async def _stop(app: FastAPI) -> None:
    await app.state.upstream.aclose()
    await app.state.proxy_session.close()
    await app.state.limiter.counter.close()
    await app.state.callers.stop()


def _service_ready(name: str):
    async def check(app: FastAPI) -> str | None:
        try:
            response = await app.state.upstream.get(
                app.state.settings.service_url(name) + "/readyz", timeout=3.0
            )
        except httpx.HTTPError as exc:
            return f"unreachable: {type(exc).__name__}"
        return None if response.status_code == 200 else f"not ready (HTTP {response.status_code})"

    return check


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        ServiceParts(
            settings=settings,
            title="LabelOps API",
            description=DESCRIPTION,
            routers=[],
            public_routers=[
                auth.router,
                users.router,
                users.agents,
                api_keys.router,
                audit.router,
                reports.router,
                users.personal_data,
                users.peers,
                forwarding.router,
            ],
            event_tables=event_tables,
            event_handlers=HANDLERS,
            on_startup=[_start],
            on_shutdown=[_stop],
            readiness_checks={name: _service_ready(name) for name in SERVICE_NAMES},
            docs=False,
            inner_middleware=[ForwardingMiddleware],
        )
    )
    app.state.trusted_proxies = trusted_networks(settings.trusted_proxies)
    app.add_middleware(GatewayHeadersMiddleware, production=settings.environment == "production")
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["ETag", "X-Request-ID", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining"],
        )
    if settings.docs_enabled:
        app.include_router(openapi.router)
    return app
