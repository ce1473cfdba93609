"""Rate limits and lockouts kept in Redis, so every worker, the bot and the API share one count.

Both are sliding windows: a sorted set per key holds one member per counted attempt, scored by its
time, and a Lua script trims, counts and adds in one step, so two concurrent requests can never
both take the last slot. The lockout counts an attempt before it is judged (and forgets the count
once one succeeds), so attempts made at once are counted at once: of fifty wrong guesses sent
together, five are judged and the rest refused. The caller hands in the time (`now`), which makes
every window testable without waiting; Redis TTLs only clean up keys nobody touches any more.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

# KEYS[1]: the attempts; ARGV: now, window, limit, member. Returns {allowed, count, retry_after}.
# KEYS[2], when given: a hash that an allowed attempt sets (`Remember`): ARGV[5] its TTL, then
# its fields and values.
_ALLOW = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(window))
  if KEYS[2] then
    redis.call('DEL', KEYS[2])
    redis.call('HSET', KEYS[2], unpack(ARGV, 6))
    redis.call('EXPIRE', KEYS[2], ARGV[5])
  end
  return {1, count + 1, '0'}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, count, tostring(tonumber(oldest[2]) + window - now)}
"""

# The lockout's two scripts begin alike. KEYS[1]: the attempts, KEYS[2]: the lock; ARGV: now,
# window, allowed, lockout (, member). Each returns {1, seconds to wait} when refused or locked,
# else {0, attempts remaining}.
_LOCK_AND_COUNT = """
local now, window, allowed, lockout = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
  tonumber(ARGV[4])
local locked_until = tonumber(redis.call('GET', KEYS[2]) or '0')
if locked_until > now then
  return {1, tostring(locked_until - now)}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
"""

# Count an attempt, unless `allowed` are counted already (some still being judged: their failures
# are about to lock).
_ATTEMPT = _LOCK_AND_COUNT + """
if count >= allowed then
  return {1, tostring(lockout)}
end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('EXPIRE', KEYS[1], math.ceil(window))
return {0, tostring(allowed - count - 1)}
"""

# A counted attempt failed: the one that finds `allowed` counted locks.
_FAILED = _LOCK_AND_COUNT + """
if count >= allowed then
  redis.call('SET', KEYS[2], tostring(now + lockout), 'EX', math.ceil(lockout))
  redis.call('DEL', KEYS[1])
  return {1, tostring(lockout)}
end
return {0, tostring(allowed - count)}
"""


@dataclass(frozen=True)
class Remember:
    """What an allowed attempt records with it, in the same step: a hash at `key`, replaced by
    `fields`, for `ttl_seconds` (e.g. the search that 下一页 continues)."""

    key: str
    ttl_seconds: int
    fields: dict[str, str | int]


@dataclass(frozen=True)
class Decision:
    """Whether to go ahead; if not, how many whole seconds until it is worth trying again."""

    allowed: bool
    retry_after: int = 0
    remaining: int = 0
    token: str | None = None  # names the counted attempt, for `release`


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

    def allow(self, key: str, limit: int, window_seconds: float, now: datetime,
              round_trip: Callable[[list[tuple]], list] | None = None,
              remember: Remember | None = None) -> Decision:
        """Count one attempt if there is room; refused attempts are not counted, and record
        `remember` only with an allowed one. With the caller's `round_trip` (Context.round_trip)
        the script goes on it, by its SHA."""
        member = _member(now)
        keys, args = [self.key(key)], [_seconds(now), window_seconds, limit, member]
        if remember is not None:
            keys.append(remember.key)
            args += [remember.ttl_seconds, *(item for pair in remember.fields.items() for item in pair)]
        answer = by_sha(round_trip, self._allow.sha, keys, args) if round_trip is not None else None
        allowed, count, wait = answer if answer is not None else self._allow(keys=keys, args=args)
        if allowed:
            return Decision(True, 0, max(limit - int(count), 0), member)
        return Decision(False, max(math.ceil(float(wait)), 1), 0)

    def release(self, key: str, decision: Decision) -> None:
        """Give back an attempt that turned out not to happen (e.g. a query that was not valid)."""
        if decision.allowed and decision.token:
            self._store.zrem(self.key(key), decision.token)


class Lockout:
    """After `failures_allowed` failed attempts within `window_seconds`, the key is locked for
    `lockout_seconds` (e.g. five wrong binding attempts lock binding for an hour).

    An attempt is counted by `attempt` before it is judged, then settled: `failed` keeps it counted
    (and locks on the last one), `succeeded` forgets the failures, `release` gives back one that
    was never judged.
    """

    def __init__(self, store, prefix: str, *, failures_allowed: int, window_seconds: float,
                 lockout_seconds: float) -> None:
        self._store = store
        self._prefix = prefix
        self.failures_allowed = failures_allowed
        self.window_seconds = window_seconds
        self.lockout_seconds = lockout_seconds
        self._attempt = store.register_script(_ATTEMPT)
        self._failed = store.register_script(_FAILED)

    def failures_key(self, key: str) -> str:
        return f"{self._prefix}failures:{key}"

    def lock_key(self, key: str) -> str:
        return f"{self._prefix}lock:{key}"

    def check(self, key: str, now: datetime) -> Decision:
        """Allowed unless locked (counts nothing: for saying so before asking for details)."""
        until = self._store.get(self.lock_key(key))
        if until is not None and float(until) > _seconds(now):
            return Decision(False, _wait(float(until) - _seconds(now)), 0)
        return Decision(True, 0, self.failures_allowed - self._failures(key, now))

    def attempt(self, key: str, now: datetime) -> Decision:
        """Count an attempt as failed until it is settled, or refuse it (locked, or the allowance
        taken by attempts counted before it)."""
        return self._run(self._attempt, key, now, _member(now))

    def failed(self, key: str, now: datetime) -> Decision:
        """The counted attempt failed; the last one allowed locks (allowed=False from then on)."""
        return self._run(self._failed, key, now)

    def _run(self, script, key: str, now: datetime, *member: str) -> Decision:
        refused, value = script(
            keys=[self.failures_key(key), self.lock_key(key)],
            args=[_seconds(now), self.window_seconds, self.failures_allowed, self.lockout_seconds,
                  *member])
        if int(refused):
            return Decision(False, _wait(float(value)), 0)
        return Decision(True, 0, int(value), member[0] if member else None)

    def succeeded(self, key: str) -> None:
        """Forget the failures; a lock already set stays until it ends."""
        self._store.delete(self.failures_key(key))

    def unlock(self, key: str) -> None:
        """Lift a lock and forget the failures (staff reset the password of a locked account)."""
        self._store.delete(self.failures_key(key), self.lock_key(key))

    def release(self, key: str, attempt: Decision) -> None:
        """Give back an attempt that turned out not to be one (nothing was checked)."""
        if attempt.allowed and attempt.token:
            self._store.zrem(self.failures_key(key), attempt.token)

    def _failures(self, key: str, now: datetime) -> int:
        return self._store.zcount(self.failures_key(key), f"({_seconds(now) - self.window_seconds}",
                                  "+inf")


def by_sha(round_trip: Callable[[list[tuple]], list], sha: str, keys: list, args: list):
    """A script's answer through `round_trip`, by the script's `sha`; None while Redis does not
    hold the script yet (after a restart): the caller then runs it through the client, which
    loads it."""
    answer = round_trip([("EVALSHA", sha, len(keys), *keys, *args)])[0]
    if isinstance(answer, Exception):
        if str(answer).startswith("NOSCRIPT") or "NoScript" in type(answer).__name__:
            return None
        raise answer
    return answer


def _wait(seconds: float) -> int:
    return max(math.ceil(seconds), 1)
