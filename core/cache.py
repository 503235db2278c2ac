"""The Redis cache, made optional: while Redis cannot be reached every read is a miss and every
write is skipped, so pages are rendered from the database (slower) instead of failing.

settings.base uses `ResilientRedisCache` whenever REDIS_URL is set. What it does while Redis
is away, and why:

- `get`, `get_many`, `has_key` miss. Everything kept in the cache can be rebuilt from the
  database: kept pages (core.page_cache) are checked against the database's state anyway, and
  sessions are stored in the database too (`cached_db`), so nobody is signed out.
- `set`, `set_many`, `delete`, `delete_many` are skipped, and the keys they named are deleted
  from Redis as soon as it answers again (before anything else is asked of it): Redis may come
  back holding a value this process tried to replace or remove (an invalidation token, a
  signed-out session), which must not be served. That list lives in this process, so it is
  lost if the process ends first; a Redis that restarted empty holds nothing stale.
- `add`, `incr` and `decr` fall back to a counter in this process's memory, so posting limits
  (consultations.services._throttle counts with add + incr) stay enforced while Redis is away,
  per web process instead of across them: with N processes one person may post up to N times
  the limit in a window, never without limit.
- After a failure Redis is not asked again for RETRY_SECONDS, so a request does not wait for a
  dead server more than once per process in that time; the first failure is logged as one
  warning, and the recovery as one line, not a traceback per request.

Only connection errors and timeouts count as "away"; any other Redis error is raised."""

from __future__ import annotations

import logging
import socket
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("accord.cache")

AWAY = (RedisConnectionError, RedisTimeoutError, ConnectionInterrupted, socket.timeout)
# How long a process leaves Redis alone after a failure before trying it again.
RETRY_SECONDS = 2.0
# Keys remembered for deletion once Redis is back; past this, every key of the site is deleted.
MAX_PENDING = 10_000


class _Outage:
    """One per Redis address and process (Django makes one cache object per thread)."""

    def __init__(self, location: str):
        self.lock = threading.Lock()
        self.location = location
        self.down_until = 0.0
        self.down = False
        self.pending: set[tuple[str, int | None]] = set()
        self.overflowed = False
        self.counters = LocMemCache(f"accord-resilient-{location}", {"OPTIONS": {}})


_outages: dict[str, _Outage] = {}
_clock = time.monotonic
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage(location))


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._outage = _outage_for(str(server))

    # --- the state of the connection ---------------------------------------------------

    def _skipping(self) -> bool:
        return self._outage.down and _clock() < self._outage.down_until

    def _failed(self, exc: BaseException) -> None:
        outage = self._outage
        with outage.lock:
            first = not outage.down
            outage.down = True
            outage.down_until = _clock() + RETRY_SECONDS
        if first:
            logger.warning(
                "Redis at %s unavailable (%s: %s): serving without the cache until it answers",
                outage.location,
                type(exc).__name__,
                exc,
            )

    def _remember(self, keys, version) -> None:
        outage = self._outage
        with outage.lock:
            if outage.overflowed:
                return
            outage.pending.update((k, version) for k in keys)
            if len(outage.pending) > MAX_PENDING:
                outage.pending.clear()
                outage.overflowed = True

    def _undo_stale(self) -> None:
        """Before anything else is asked of Redis after an outage: delete what this process
        could not replace or delete meanwhile. Raises if Redis fails again."""
        outage = self._outage
        with outage.lock:
            pending, overflowed = set(outage.pending), outage.overflowed
        if overflowed:
            super().delete_pattern("*")
        by_version: dict[int | None, list[str]] = {}
        for key, version in pending:
            by_version.setdefault(version, []).append(key)
        for version, keys in by_version.items():
            super().delete_many(keys, version=version)
        with outage.lock:
            outage.pending -= pending
            outage.overflowed = outage.overflowed and not overflowed

    def _answered(self) -> None:
        outage = self._outage
        with outage.lock:
            was_down, outage.down = outage.down, False
        if was_down:
            logger.info("Redis at %s answers again", outage.location)

    def _call(self, method, args, kwargs, *, when_away, stale_keys=None, version=None):
        if self._skipping():
            if stale_keys is not None:
                self._remember(stale_keys, version)
            return when_away()
        try:
            if self._outage.pending or self._outage.overflowed:
                self._undo_stale()
            result = method(*args, **kwargs)
        except AWAY as exc:
            self._failed(exc)
            if stale_keys is not None:
                self._remember(stale_keys, version)
            return when_away()
        if self._outage.down:
            self._answered()
        return result

    # --- reads: a miss while away --------------------------------------------------------

    def get(self, key, default=None, version=None, client=None):
        return self._call(
            super().get, (key, default, version, client), {}, when_away=lambda: default
        )

    def get_many(self, keys, version=None, client=None):
        return self._call(super().get_many, (keys, version, client), {}, when_away=dict)

    def has_key(self, key, version=None, client=None):
        return self._call(super().has_key, (key, version, client), {}, when_away=lambda: False)

    # --- writes: skipped while away, their keys deleted once Redis is back ---------------

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None, client=None, **kwargs):
        return self._call(
            super().set,
            (key, value, timeout, version, client),
            kwargs,
            when_away=lambda: False,
            stale_keys=[key],
            version=version,
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None, client=None):
        return self._call(
            super().set_many,
            (data, timeout, version, client),
            {},
            when_away=lambda: list(data),
            stale_keys=list(data),
            version=version,
        )

    def delete(self, key, version=None, prefix=None, client=None):
        return self._call(
            super().delete,
            (key, version, prefix, client),
            {},
            when_away=lambda: False,
            stale_keys=[key],
            version=version,
        )

    def delete_many(self, keys, version=None, client=None):
        keys = list(keys)
        return self._call(
            super().delete_many,
            (keys, version, client),
            {},
            when_away=lambda: 0,
            stale_keys=keys,
            version=version,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None, client=None):
        return self._call(
            super().touch, (key, timeout, version, client), {}, when_away=lambda: False
        )

    def clear(self):
        return self._call(super().clear, (), {}, when_away=lambda: False)

    # --- counters: this process's own while away ----------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None, client=None):
        counters = self._outage.counters
        return self._call(
            super().add,
            (key, value, timeout, version, client),
            {},
            when_away=lambda: counters.add(key, value, timeout, version),
        )

    def incr(self, key, delta=1, version=None, client=None, **kwargs):
        counters = self._outage.counters
        return self._call(
            super().incr,
            (key, delta, version, client),
            kwargs,
            when_away=lambda: counters.incr(key, delta, version),
        )

    def decr(self, key, delta=1, version=None, client=None, **kwargs):
        counters = self._outage.counters
        return self._call(
            super().decr,
            (key, delta, version, client),
            kwargs,
            when_away=lambda: counters.decr(key, delta, version),
        )
