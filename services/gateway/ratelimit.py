"""Rate limits per caller and route class: fixed windows counted in memory or in Redis.

Redis (LABELOPS_REDIS_URL) makes the counts shared by every gateway replica; in memory they are per
process, which is right for one gateway (`make run`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as redis

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


class Counter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> int: ...
    async def peek(self, key: str) -> int: ...
    async def close(self) -> None: ...


class MemoryCounter:
    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}

    def _live(self, key: str, now: float) -> int:
        count, expires = self._counts.get(key, (0, 0.0))
        return count if expires > now else 0

    async def hit(self, key: str, window_seconds: int) -> int:
        now = time.monotonic()
        if len(self._counts) > 100_000:  # forget expired windows so memory stays bounded
            self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
        count = self._live(key, now) + 1
        expires = self._counts[key][1] if count > 1 else now + window_seconds
        self._counts[key] = (count, expires)
        return count

    async def peek(self, key: str) -> int:
        return self._live(key, time.monotonic())

    async def close(self) -> None:
        self._counts.clear()


class RedisCounter:
    def __init__(self, url: str):
        self._redis = redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)

    async def hit(self, key: str, window_seconds: int) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window_seconds, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def peek(self, key: str) -> int:
        value = await self._redis.get(key)
        return int(value or 0)

    async def close(self) -> None:
        await self._redis.aclose()


def route_class(method: str, path: str) -> str:
    """Which budget a request spends: assignment loops, bulk transfers, reads, writes, webhooks."""
    if path.startswith("/api/v1/webhooks/vms/"):
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


def make_rate_limiter(settings: GatewaySettings) -> RateLimiter:
    counter: Counter = RedisCounter(settings.redis_url) if settings.redis_url else MemoryCounter()
    return RateLimiter(counter, limits_from(settings), namespace=settings.rate_limit_namespace)


class RateLimiter:
    def __init__(self, counter: Counter, limits: dict[str, Limit], *, namespace: str = "labelops"):
        self.counter = counter
        self.limits = limits
        self.namespace = namespace

    async def check(self, *, caller: str, route_class: str) -> Decision:
        """Count this request against the caller's current window for the class."""
        limit = self.limits[route_class]
        window = int(time.time()) // limit.window_seconds
        key = f"{self.namespace}:rl:{route_class}:{caller}:{window}"
        count = await self.counter.hit(key, limit.window_seconds)
        reset = limit.window_seconds - int(time.time()) % limit.window_seconds
        return Decision(count <= limit.requests, limit, max(limit.requests - count, 0), reset)
