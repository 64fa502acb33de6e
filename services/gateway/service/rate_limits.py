"""Rate limits per caller and route class: fixed windows counted in memory or in Redis.

Redis (LABELOPS_REDIS_URL) makes the counts shared by every gateway replica; in memory they are per
process, which is right for one gateway (`make run`). The budgets themselves are `rules.rate_limits`.
"""

from __future__ import annotations

import time
from typing import Protocol

import redis.asyncio as redis

from services.gateway.rules.rate_limits import Decision, Limit, limits_from
from services.gateway.settings import GatewaySettings


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
