"""Response headers every gateway answer carries: security headers and the caller's rate-limit state.

An ASGI middleware around the whole app (not a route): it adds to what every route and the forwarding
answer, so it sits with the service machinery, named for what it does."""

from typing import Any

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
# Swagger UI loads its script and styles from a CDN, so /docs gets no content-security-policy here.
API_ONLY_HEADERS = [(b"cache-control", b"no-store"), (b"content-security-policy", b"default-src 'none'")]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class GatewayHeadersMiddleware:
    def __init__(self, app: Any, *, production: bool):
        self.app = app
        self.production = production

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = SECURITY_HEADERS + (API_ONLY_HEADERS if scope["path"].startswith("/api/") else [])
                if self.production:
                    extra = [*extra, HSTS]
                headers += [(k, v) for k, v in extra if k not in present]
                limits = scope.get("state", {}).get("rate_limit_headers") or {}
                headers += [
                    (k.lower().encode(), v.encode())
                    for k, v in limits.items()
                    if k.lower().encode() not in present
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
