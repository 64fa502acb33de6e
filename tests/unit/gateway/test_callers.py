"""CallerCache: remembered caller facts can never outlive a change, on this replica or another one."""

import asyncio
import secrets

import pytest
import redis.asyncio as redis

from services.gateway.service.callers import STOP_SECONDS, CallerCache

REDIS_URL = "redis://127.0.0.1:6379/0"
FACTS = {"roles": ["ops"], "vendor_id": None, "contributor_id": None, "disabled": False, "revoked_at": None}


class Database:
    """Stands in for the caller_facts query: counts reads and can change between them."""

    def __init__(self):
        self.reads = 0
        self.facts = dict(FACTS)
        self.during_read = None

    async def load(self):
        self.reads += 1
        if self.during_read is not None:
            self.during_read()
        return dict(self.facts)


async def test_facts_are_read_once_then_remembered():
    cache, db = CallerCache(ttl_seconds=60), Database()

    first = await cache.facts(1, "s", db.load)
    second = await cache.facts(1, "s", db.load)

    assert first == second == FACTS and db.reads == 1


async def test_a_change_is_seen_at_the_next_request():
    cache, db = CallerCache(ttl_seconds=60), Database()
    await cache.facts(1, "s", db.load)

    db.facts["disabled"] = True
    cache.changed()

    assert (await cache.facts(1, "s", db.load))["disabled"] is True


async def test_a_read_that_raced_a_change_is_not_remembered():
    cache, db = CallerCache(ttl_seconds=60), Database()
    # The change commits (and is announced) while the read is in flight: what it read may be old.
    db.during_read = cache.changed
    await cache.facts(1, "s", db.load)
    db.during_read = None

    await cache.facts(1, "s", db.load)

    assert db.reads == 2


async def test_entries_age_out_and_a_zero_ttl_reads_every_time():
    aging, db = CallerCache(ttl_seconds=0.05), Database()
    await aging.facts(1, "s", db.load)
    await asyncio.sleep(0.06)
    await aging.facts(1, "s", db.load)
    uncached, other = CallerCache(ttl_seconds=0), Database()
    for _ in range(3):
        await uncached.facts(1, "s", other.load)

    assert db.reads == 2 and other.reads == 3


async def test_unknown_callers_are_not_remembered():
    cache, db = CallerCache(ttl_seconds=60), Database()
    db.facts = None

    async def missing():
        db.reads += 1

    await cache.facts(1, "s", missing)
    await cache.facts(1, "s", missing)

    assert db.reads == 2


async def _until(predicate, within=2.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


@pytest.fixture
async def replicas():
    namespace = f"test-{secrets.token_hex(6)}"
    pair = [CallerCache(ttl_seconds=60, redis_url=REDIS_URL, namespace=namespace) for _ in range(2)]
    for cache in pair:
        await cache.start()
    yield pair
    for cache in pair:
        await cache.stop()


async def _remembers(cache: CallerCache) -> bool:
    db = Database()
    await cache.facts(1, "s", db.load)
    await cache.facts(1, "s", db.load)
    return db.reads == 1


async def test_with_redis_a_replica_remembers_only_once_subscribed_and_forgets_on_anothers_change(replicas):
    first, second = replicas
    db = Database()
    await _until(lambda: first.remembering and second.remembering)
    await second.facts(1, "s", db.load)
    await second.facts(1, "s", db.load)
    assert db.reads == 1

    first.changed()

    # Each request on the other replica reads from memory until the change arrives, then from the database.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 2.0
    while db.reads == 1:
        assert loop.time() < deadline, "the change never reached the other replica"
        await second.facts(1, "s", db.load)
        await asyncio.sleep(0.005)
    assert db.reads == 2


async def test_with_redis_a_lost_subscription_means_reading_every_time_until_it_is_back(replicas):
    first, _ = replicas
    await _until(lambda: first.remembering)
    assert await _remembers(first)
    admin = redis.from_url(REDIS_URL)
    try:
        # Kill only this cache's subscriber connection (other tests may share the server); its
        # connections are named after its channel.
        subscribers = await admin.client_list(_type="pubsub")
        for client in [c for c in subscribers if c.get("name") == first.channel]:
            await admin.client_kill_filter(_id=client["id"])
    finally:
        await admin.aclose()

    await _until(lambda: not first.remembering)
    assert not await _remembers(first)
    await _until(lambda: first.remembering, within=5.0)
    assert await _remembers(first)


async def test_a_silent_redis_means_reading_every_time_and_does_not_hold_up_shutdown():
    # Accepts connections and never answers, like a paused or partitioned Redis.
    accepted = asyncio.Event()

    async def black_hole(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set()
        await reader.read()
        writer.close()

    server = await asyncio.start_server(black_hole, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    cache = CallerCache(ttl_seconds=60, redis_url=f"redis://127.0.0.1:{port}/0", namespace="silent")
    try:
        await cache.start()
        await asyncio.wait_for(accepted.wait(), timeout=5)
        assert not await _remembers(cache)

        loop = asyncio.get_running_loop()
        started = loop.time()
        await cache.stop()
        assert loop.time() - started < STOP_SECONDS
    finally:
        server.close()
