"""Rate limits: which budget a request spends, how large each budget is, and what a caller is told."""

from dataclasses import dataclass

from services.gateway.rules.forwarding import SIGNATURE_AUTHENTICATED_PREFIXES
from services.gateway.settings import GatewaySettings


@dataclass(frozen=True)
class Limit:
    requests: int
    window_seconds: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: Limit
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        """draft-ietf-httpapi-ratelimit-headers fields (plus Retry-After when refused)."""
        headers = {
            "RateLimit-Limit": str(self.limit.requests),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
            "RateLimit-Policy": f"{self.limit.requests};w={self.limit.window_seconds}",
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


def route_class(method: str, path: str) -> str:
    """Which budget a request spends: assignment loops, bulk transfers, reads, writes, webhooks (every
    signature-authenticated receiver: VMS events, Discord interactions)."""
    if path.startswith(SIGNATURE_AUTHENTICATED_PREFIXES):
        return "webhook"
    if path.endswith("/next") or path.startswith("/api/v1/assignments/"):
        return "assignment"
    if path.endswith(("/tasks", "/import", "/export")) and method in ("POST", "GET") and "/projects/" in path:
        return "bulk"
    return "read" if method in ("GET", "HEAD") else "write"


def limits_from(settings: GatewaySettings) -> dict[str, Limit]:
    return {
        "read": Limit(settings.rate_limit_read, 60),
        "write": Limit(settings.rate_limit_write, 60),
        "assignment": Limit(settings.rate_limit_assignment, 60),
        "bulk": Limit(settings.rate_limit_bulk, 60),
        "webhook": Limit(settings.rate_limit_webhook, 60),
        "login": Limit(settings.rate_limit_login, 60),
    }
