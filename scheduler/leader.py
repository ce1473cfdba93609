"""The scheduler's leader lock: one Redis key with a lease, so one process of many runs the jobs.

A process becomes leader with SET key identity NX PX lease. The leader renews the lease well before it
runs out, but only while the key still holds its own identity (compare-and-extend in one Lua script, so
a lease that expired and was taken by another process is never extended by the old leader); it
releases the key on a clean stop the same way (compare-and-delete). A leader that dies simply stops
renewing: the key expires after at most one lease and the next follower to try takes it.

Fencing: the holder also keeps a local deadline — the moment it sent the winning SET or renewal plus
the lease, on its monotonic clock. Redis started the key's expiry no earlier than that, so by the time
another process can take the key the old leader's own deadline has passed. `holds(margin)` answers
from that deadline without any network call; the scheduler asks it before every round of jobs and
keeps `margin` (a renewal interval) in hand, so a leader cut off from Redis stops on its own before
anyone else can start.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


def default_identity() -> str:
    """host:pid:random — readable in logs, unique even for two locks in one process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LeaderLock:
    """A lease on `key` in `store`; `refresh()` acquires or renews it, `holds()` says if it is ours."""

    def __init__(self, store: redis.Redis, key: str, *, lease_seconds: float,
                 identity: str | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        self.store = store
        self.key = key
        self.lease_seconds = lease_seconds
        self.identity = identity or default_identity()
        self._clock = clock
        self._valid_until = 0.0
        self._renew = store.register_script(_RENEW)
        self._release = store.register_script(_RELEASE)

    @property
    def _lease_ms(self) -> int:
        return max(1, int(self.lease_seconds * 1000))

    def acquire(self) -> bool:
        """Take the key if nobody holds it."""
        sent = self._clock()
        if self.store.set(self.key, self.identity, nx=True, px=self._lease_ms):
            self._valid_until = sent + self.lease_seconds
            return True
        return False

    def renew(self) -> bool:
        """Extend the lease if the key is still ours; False (and not ours any more) otherwise."""
        sent = self._clock()
        if self._renew(keys=[self.key], args=[self.identity, self._lease_ms]):
            self._valid_until = sent + self.lease_seconds
            return True
        self._valid_until = 0.0
        return False

    def refresh(self) -> bool:
        """One step of the leadership loop: renew what we hold, else try to take it.

        Redis errors propagate; the local deadline is left as it was, so `holds()` keeps answering
        truthfully until the lease we had would have run out.
        """
        # Renew first even past our local deadline: if the key still names us (a slow clock, a
        # paused process), extending it is right, and SET NX would refuse us our own key.
        return self.renew() or self.acquire()

    def release(self) -> bool:
        """Give the key up if it is ours (a clean stop), so a follower need not wait out the lease."""
        self._valid_until = 0.0
        try:
            return bool(self._release(keys=[self.key], args=[self.identity]))
        except redis.RedisError:
            log.warning("未能释放调度器主节点锁；锁会在租期到后自动失效")
            return False

    def holds(self, margin: float = 0.0) -> bool:
        """Whether the lease is ours for at least `margin` more seconds (local clock, no I/O)."""
        return self._clock() + margin < self._valid_until

    def holder(self) -> str | None:
        """Who holds the key now (for logs and tests)."""
        return self.store.get(self.key)
