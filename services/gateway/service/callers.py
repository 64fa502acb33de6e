"""What each request re-checks about its caller (user enabled, roles and links, session not revoked),
remembered per replica and forgotten the moment any user or session changes.

Reading those facts from the database on every proxied request cost about a quarter of the gateway's
time at assignment rates (see bench/). Changes are rare (logouts, admin edits, a detected refresh
reuse) and all made by the gateway itself, so a replica forgets everything it remembers on each one:
at once on the replica that made it, and on the others when its invalidation arrives over Redis
pub/sub. A replica only remembers while it is subscribed (a lost subscription means asking the
database every time until it is back), a fill that raced an invalidation is dropped, and every entry
also ages out after `ttl_seconds` as a backstop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as redis

log = logging.getLogger("labelops.gateway.callers")

Facts = dict[str, Any]
MAX_ENTRIES = 100_000
RESUBSCRIBE_SECONDS = 1.0
# A replica shutting down waits this long for Redis, then goes anyway.
STOP_SECONDS = 5.0


class CallerCache:
    def __init__(self, *, ttl_seconds: float, redis_url: str | None = None, namespace: str = "labelops"):
        self.ttl_seconds = ttl_seconds
        self.redis_url = redis_url
        self.channel = f"{namespace}:callers:changed"
        self._entries: dict[tuple[int, str], tuple[Facts, float]] = {}
        self._generation = 0
        # Without Redis this replica is the only writer there is; with it, only while subscribed.
        self._trusted = redis_url is None and ttl_seconds > 0
        self._redis: redis.Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._publishing: set[asyncio.Task[None]] = set()
        self._stopping = False

    @property
    def remembering(self) -> bool:
        """Whether this replica may answer from memory now (false while unsubscribed)."""
        return self._trusted

    async def facts(
        self, user_id: int, session_id: str, load: Callable[[], Awaitable[Facts | None]]
    ) -> Facts | None:
        """The caller's facts from memory when they cannot be stale, else from `load` (the database)."""
        key = (user_id, session_id)
        now = time.monotonic()
        cached = self._entries.get(key) if self._trusted else None
        if cached is not None and cached[1] > now:
            return cached[0]
        generation = self._generation
        facts = await load()
        if facts is not None and self._trusted and generation == self._generation:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (facts, now + self.ttl_seconds)
        return facts

    def forget_all(self) -> None:
        self._generation += 1
        self._entries.clear()

    def changed(self) -> None:
        """A user or session changed (call after its commit): forget here, and tell the other replicas."""
        self.forget_all()
        if self._redis is not None:
            task = asyncio.create_task(self._publish())
            self._publishing.add(task)
            task.add_done_callback(self._publishing.discard)

    async def _publish(self) -> None:
        assert self._redis is not None
        try:
            await self._redis.publish(self.channel, b"1")
        except redis.RedisError:
            # The others are unsubscribed too (so not remembering) or their entries age out.
            log.warning("could not publish a caller change to the other gateway replicas", exc_info=True)

    async def start(self) -> None:
        if self.redis_url is None or self.ttl_seconds <= 0:
            return
        # Named after the channel, so an operator (or a test) can tell these connections apart.
        self._redis = redis.from_url(self.redis_url, socket_connect_timeout=1.0, client_name=self.channel)
        self._listener = asyncio.create_task(self._listen(), name="caller-cache-invalidations")

    async def stop(self) -> None:
        """Stop listening and close the Redis connections, never waiting on Redis for more than
        STOP_SECONDS: a shutdown must not hang on a slow or silent Redis."""
        self._stopping = True
        self._trusted = False
        if self._publishing:
            await asyncio.wait(self._publishing, timeout=STOP_SECONDS)
        if self._listener is not None:
            await _cancel_within(self._listener, "the caller invalidation listener")
        if self._redis is not None:
            await _finish_within(asyncio.create_task(self._redis.aclose()), "closing Redis")

    async def _listen(self) -> None:
        assert self._redis is not None
        while not self._stopping:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                # Anything remembered before this subscription may have missed an invalidation.
                self.forget_all()
                self._trusted = True
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        self.forget_all()
            except (redis.RedisError, OSError):
                log.warning("caller invalidation channel lost; checking every request", exc_info=True)
            finally:
                self._trusted = False
                self.forget_all()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(RESUBSCRIBE_SECONDS)


def callers_changed(app: Any) -> None:
    """After-commit hook of every write to users or login sessions."""
    app.state.callers.changed()


async def _cancel_within(task: asyncio.Task[Any], what: str) -> None:
    # Cancel again until it takes: redis-py (8.1) loses a cancellation that lands while a connection
    # is being opened, and goes on retrying it.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STOP_SECONDS
    while not task.done() and loop.time() < deadline:
        task.cancel()
        await asyncio.wait({task}, timeout=0.1)
    _report(task, what)


async def _finish_within(task: asyncio.Task[Any], what: str) -> None:
    await asyncio.wait({task}, timeout=STOP_SECONDS)
    _report(task, what)


def _report(task: asyncio.Task[Any], what: str) -> None:
    if not task.done():
        log.warning("%s did not finish within %.0f s; stopping anyway", what, STOP_SECONDS)
    elif not task.cancelled() and task.exception() is not None:
        log.warning("%s failed", what, exc_info=task.exception())
