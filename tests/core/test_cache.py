"""The Redis cache while Redis is away: reads miss, writes are skipped (and undone once Redis
is back), counters carry on in the process, and the outage is logged once."""

import logging

import pytest
from django_redis.cache import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from core import cache as resilient
from core.cache import ResilientRedisCache


class FakeRedis:
    """What the Redis server holds, and whether it answers."""

    def __init__(self):
        self.data = {}
        self.up = True
        self.calls = 0

    def answer(self):
        self.calls += 1
        if not self.up:
            raise RedisConnectionError(
                "Error 111 connecting to 127.0.0.1:6390. Connection refused."
            )


@pytest.fixture
def redis(monkeypatch):
    """RedisCache's own methods talk to a FakeRedis instead of a server."""
    server = FakeRedis()

    def get(self, key, default=None, version=None, client=None):
        server.answer()
        return server.data.get(key, default)

    def get_many(self, keys, version=None, client=None):
        server.answer()
        return {k: server.data[k] for k in keys if k in server.data}

    def set_(self, key, value, timeout=None, version=None, client=None, **kwargs):
        server.answer()
        server.data[key] = value
        return True

    def set_many(self, data, timeout=None, version=None, client=None):
        server.answer()
        server.data.update(data)
        return []

    def add(self, key, value, timeout=None, version=None, client=None):
        server.answer()
        return server.data.setdefault(key, value) is value

    def incr(self, key, delta=1, version=None, client=None):
        server.answer()
        if key not in server.data:
            raise ValueError(key)
        server.data[key] += delta
        return server.data[key]

    def delete_many(self, keys, version=None, client=None):
        server.answer()
        return sum(server.data.pop(k, None) is not None for k in keys)

    def delete(self, key, version=None, prefix=None, client=None):
        return bool(delete_many(self, [key]))

    for name, method in {
        "get": get,
        "get_many": get_many,
        "set": set_,
        "set_many": set_many,
        "add": add,
        "incr": incr,
        "delete_many": delete_many,
        "delete": delete,
    }.items():
        monkeypatch.setattr(RedisCache, name, method)
    clock = [1000.0]
    monkeypatch.setattr(resilient, "_clock", lambda: clock[0])
    server.clock = clock
    return server


@pytest.fixture
def cache(request):
    # One address per test: what a process remembers of an outage is kept per address.
    return ResilientRedisCache(f"redis://127.0.0.1:6390/{abs(hash(request.node.name)) % 10**8}", {})


def test_reads_miss_and_writes_are_skipped_while_redis_is_away(redis, cache):
    cache.set("page", "kept")
    redis.up = False
    assert cache.get("page") is None
    assert cache.get("page", "default") == "default"
    assert cache.get_many(["page", "other"]) == {}
    assert cache.has_key("page") is False
    assert cache.set("page", "new") is False
    cache.set_many({"a": 1})
    cache.delete("session")


def test_redis_is_left_alone_for_a_while_after_a_failure(redis, cache):
    redis.up = False
    cache.get("a")
    calls = redis.calls
    for _ in range(5):
        cache.get("a")
        cache.set("a", 1)
    assert redis.calls == calls  # no request waited for a dead server again
    redis.clock[0] += resilient.RETRY_SECONDS + 0.1
    cache.get("a")
    assert redis.calls == calls + 1


def test_values_replaced_or_deleted_during_the_outage_are_deleted_when_redis_is_back(redis, cache):
    cache.set("token", "old")
    cache.set("session", "signed in")
    cache.set("untouched", "kept")
    redis.up = False
    cache.set("token", "new")  # an invalidation this process could not write
    cache.delete("session")  # a sign-out
    assert redis.data["token"] == "old"
    redis.up = True
    redis.clock[0] += resilient.RETRY_SECONDS + 0.1
    # The first request after the outage never sees the stale values.
    assert cache.get("token") is None
    assert cache.get("session") is None
    assert cache.get("untouched") == "kept"
    cache.set("token", "fresh")
    assert cache.get("token") == "fresh"


def test_counters_carry_on_in_the_process_while_redis_is_away(redis, cache):
    redis.up = False
    assert cache.add("rate", 0, 600) is True
    assert [cache.incr("rate") for _ in range(3)] == [1, 2, 3]
    assert cache.add("rate", 0, 600) is False
    with pytest.raises(ValueError):
        cache.incr("never-added")


def test_the_outage_is_logged_once_and_the_recovery_once(redis, cache, caplog):
    with caplog.at_level(logging.INFO, logger="accord.cache"):
        redis.up = False
        for _ in range(3):
            cache.get("a")
            redis.clock[0] += resilient.RETRY_SECONDS + 0.1
        redis.up = True
        cache.get("a")
        cache.get("a")
    messages = [r.getMessage() for r in caplog.records if r.name == "accord.cache"]
    assert len(messages) == 2
    assert "unavailable" in messages[0] and "answers again" in messages[1]
    assert all(r.exc_info is None for r in caplog.records)


def test_other_redis_errors_are_raised(redis, cache, monkeypatch):
    def wrong_type(self, *args, **kwargs):
        raise ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value")

    monkeypatch.setattr(RedisCache, "get", wrong_type)
    with pytest.raises(ResponseError):
        cache.get("a")
