"""Rate limits and lockouts kept in Redis, so every worker, the bot and the API share one count.

Both are sliding windows: a sorted set per key holds one member per counted attempt, scored by its
time, and a Lua script trims, counts and adds in one step, so two concurrent requests can never
both take the last slot. The caller hands in the time (`now`), which makes every window testable
without waiting; Redis TTLs only clean up keys nobody touches any more.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime

# KEYS[1]: the attempts; ARGV: now, window, limit, member. Returns {allowed, count, retry_after}.
_ALLOW = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(window))
  return {1, count + 1, '0'}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, count, tostring(tonumber(oldest[2]) + window - now)}
"""

# KEYS[1]: the failures, KEYS[2]: the lock; ARGV: now, window, allowed, lockout, member.
# Returns {locked, failures}.
_FAIL = """
local now, window, allowed, lockout = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
  tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('EXPIRE', KEYS[1], math.ceil(window))
local count = redis.call('ZCARD', KEYS[1])
if count >= allowed then
  redis.call('SET', KEYS[2], tostring(now + lockout), 'EX', math.ceil(lockout))
  redis.call('DEL', KEYS[1])
  return {1, count}
end
return {0, count}
"""


@dataclass(frozen=True)
class Decision:
    """Whether to go ahead; if not, how many whole seconds until it is worth trying again."""

    allowed: bool
    retry_after: int = 0
    remaining: int = 0
    token: str | None = None  # names the counted attempt, for `RateLimit.release`


def _seconds(now: datetime) -> float:
    return now.timestamp()


def _member(now: datetime) -> str:
    return f"{_seconds(now):.6f}:{uuid.uuid4().hex[:10]}"


class RateLimit:
    """At most `limit` attempts per `window_seconds` per key (e.g. 30 searches an hour a user)."""

    def __init__(self, store, prefix: str) -> None:
        self._store = store
        self._prefix = prefix
        self._allow = store.register_script(_ALLOW)

    def key(self, key: str) -> str:
        return f"{self._prefix}{key}"

    def allow(self, key: str, limit: int, window_seconds: float, now: datetime) -> Decision:
        """Count one attempt if there is room; refused attempts are not counted."""
        member = _member(now)
        allowed, count, wait = self._allow(keys=[self.key(key)],
                                           args=[_seconds(now), window_seconds, limit, member])
        if allowed:
            return Decision(True, 0, max(limit - int(count), 0), member)
        return Decision(False, max(math.ceil(float(wait)), 1), 0)

    def release(self, key: str, decision: Decision) -> None:
        """Give back an attempt that turned out not to happen (e.g. a query that was not valid)."""
        if decision.allowed and decision.token:
            self._store.zrem(self.key(key), decision.token)


class Lockout:
    """After `failures_allowed` failures within `window_seconds`, the key is locked for
    `lockout_seconds` (e.g. five wrong binding attempts lock binding for an hour)."""

    def __init__(self, store, prefix: str, *, failures_allowed: int, window_seconds: float,
                 lockout_seconds: float) -> None:
        self._store = store
        self._prefix = prefix
        self.failures_allowed = failures_allowed
        self.window_seconds = window_seconds
        self.lockout_seconds = lockout_seconds
        self._fail = store.register_script(_FAIL)

    def failures_key(self, key: str) -> str:
        return f"{self._prefix}failures:{key}"

    def lock_key(self, key: str) -> str:
        return f"{self._prefix}lock:{key}"

    def check(self, key: str, now: datetime) -> Decision:
        """Allowed unless locked; a lock ends at the time it stores or when its key expires."""
        until = self._store.get(self.lock_key(key))
        if until is not None and float(until) > _seconds(now):
            return Decision(False, max(math.ceil(float(until) - _seconds(now)), 1), 0)
        return Decision(True, 0, self.failures_allowed - self._failures(key, now))

    def record_failure(self, key: str, now: datetime) -> Decision:
        """Count a failure; the one that reaches the limit locks (allowed=False from then on)."""
        locked, count = self._fail(
            keys=[self.failures_key(key), self.lock_key(key)],
            args=[_seconds(now), self.window_seconds, self.failures_allowed, self.lockout_seconds,
                  _member(now)])
        if locked:
            return Decision(False, math.ceil(self.lockout_seconds), 0)
        return Decision(True, 0, self.failures_allowed - int(count))

    def clear(self, key: str) -> None:
        """Forget the failures (after a success); a lock already set stays until it ends."""
        self._store.delete(self.failures_key(key))

    def _failures(self, key: str, now: datetime) -> int:
        return self._store.zcount(self.failures_key(key), f"({_seconds(now) - self.window_seconds}",
                                  "+inf")
