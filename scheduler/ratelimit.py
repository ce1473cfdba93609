"""How fast pushes go out, shared by every delivery process through Redis.

`RateLimiter.acquire()` reserves send slots in one atomic Lua call (GCRA, the "generic cell rate
algorithm": a token bucket kept as one timestamp) on Redis's own clock, so any number of
processes on any number of machines together start at most `rate` sends a second, with a burst
of at most `burst`. The caller then sleeps until its slot; a crashed caller only wastes its slots.

**Leases.** At a high rate one Redis round trip per send is a real part of a send's cost, so a
call reserves a *lease* of consecutive slots, as many as `LEASE_SECONDS` of the rate holds (at
most `LEASE_MAX`; at 20/s that is one, as before): the bucket is charged for all of them at once,
and this process spends them one by one, each no earlier than its time. Slots stay spaced
1/rate apart across all processes. A slot not used within `LEASE_SECONDS` of its time is thrown
away, never spent late, so a send happens within that much of a slot that was its own: in any
one second at most `rate × (1 + LEASE_SECONDS) + burst` sends start.

It also remembers channels stopped for the day (45009: the API's daily quota is used up), so
every process stops sending on that channel until the quota resets.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from redis.exceptions import NoScriptError

# KEYS[1] the theoretical arrival time of the next send; ARGV rate, burst, key lifetime, and how
# many consecutive slots to reserve (1 if absent: what processes of an older version ask).
# Answers how many seconds the caller must wait before its first slot (as text: Redis truncates
# Lua numbers to integers); the others follow 1/rate apart.
_RESERVE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local count = tonumber(ARGV[4] or '1')
local wait = tat - (burst - 1) / rate - now
if wait < 0 then wait = 0 end
redis.call('SET', KEYS[1], string.format('%.6f', tat + count / rate), 'EX', tonumber(ARGV[3]))
return string.format('%.6f', wait)
"""


LEASE_SECONDS = 0.05  # a lease holds at most this much of the rate; a slot keeps that long
LEASE_MAX = 32


class Limiter(Protocol):
    def acquire(self, on_wait: Callable[[], None] | None = None) -> float: ...

    def pause(self, channel: str, until: datetime, now: datetime) -> None: ...

    def paused_until(self, channel: str) -> datetime | None: ...


class RateLimiter:
    """The shared token bucket; `prefix` keeps its keys apart (e.g. "ab:push:")."""

    def __init__(self, redis, prefix: str, rate_per_second: float, burst: int = 1,
                 sleep=time.sleep) -> None:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("rate_per_second must be > 0 and burst >= 1")
        self._redis = redis
        self._prefix = prefix
        self.rate = float(rate_per_second)
        self.burst = burst
        self._sleep = sleep
        self._script = redis.register_script(_RESERVE)
        self.lease = max(1, min(LEASE_MAX, int(self.rate * LEASE_SECONDS)))
        self._slots: deque[float] = deque()  # this process's leased slots (time.monotonic)
        self._lock = threading.Lock()

    def acquire(self, on_wait: Callable[[], None] | None = None) -> float:
        """Block until this process may send once; answers the seconds it waited.
        `on_wait` runs before a noticeable wait (delivery writes down what it has meanwhile)."""
        slots = self._slots
        with self._lock:  # the scheduler runs up to three delivery jobs at once, in threads
            now = time.monotonic()
            while slots and slots[0] < now - LEASE_SECONDS:  # too old to spend: others sent
                slots.popleft()
            if not slots:
                wait = float(self._reserve(self.lease))
                first = time.monotonic() + wait
                slots.extend(first + number / self.rate for number in range(self.lease))
            slot = slots.popleft()
        wait = slot - time.monotonic()
        if wait > 0.002 and on_wait is not None:
            on_wait()
            wait = slot - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        return max(0.0, wait)

    def _reserve(self, count: int = 1) -> str:
        key, args = self._prefix + "rate", (self.rate, self.burst, 60, count)
        try:
            return self._redis.evalsha(self._script.sha, 1, key, *args)
        except NoScriptError:  # a Redis restarted or flushed: load it again
            return self._script(keys=[key], args=list(args))

    def pause(self, channel: str, until: datetime, now: datetime) -> None:
        """Stop `channel` for every process until `until` (45009: tomorrow)."""
        seconds = max(1, int((until - now).total_seconds()) + 1)
        self._redis.set(self._prefix + f"paused:{channel}", until.isoformat(), ex=seconds)

    def paused_until(self, channel: str) -> datetime | None:
        value = self._redis.get(self._prefix + f"paused:{channel}")
        return datetime.fromisoformat(value) if value else None

    def paused_channels(self, channels: list[str]) -> dict[str, datetime | None]:
        """`paused_until` of several channels, in one round trip."""
        values = self._redis.mget([self._prefix + f"paused:{channel}" for channel in channels])
        return {channel: datetime.fromisoformat(value) if value else None
                for channel, value in zip(channels, values)}

    def resume(self, channel: str) -> None:
        """An operator reset the quota (cgi-bin/clear_quota): send again at once."""
        self._redis.delete(self._prefix + f"paused:{channel}")


def next_quota_reset(now: datetime, zone) -> datetime:
    """When WeChat's daily quotas reset: the next midnight in `zone` (Beijing time)."""
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date(), datetime.min.time(), tzinfo=zone)
    return midnight + timedelta(days=1)
