"""The customer-service allowance (PROTOCOL.md section 6), as WeChat enforces it.

A user's own message opens a 48-hour window with 5 sends; a menu click, a scan or a subscribe opens
a 1-minute window with 3. Each new interaction refills its own window. A send spends the short
window first (it closes soonest), then the long one. No window open: 45015; open but spent: 45047.
The counts live in one Redis hash per user and are spent under WATCH, so two workers sending at
the same moment cannot both take the last one.
"""

from __future__ import annotations

from typing import Literal

from wechat_bot.sandbox.errors import ApiError
from wechat_bot.sandbox.state import SandboxStore

# (field prefix, window length in seconds, sends allowed): the short window is listed first.
WINDOWS = (("evt", 60, 3), ("msg", 48 * 3600, 5))
KEEP_SECONDS = 49 * 3600  # the hash outlives the longest window, then Redis forgets it

Opener = Literal["message", "event"]


class Allowance:
    def __init__(self, store: SandboxStore) -> None:
        self._store = store

    def _key(self, openid: str) -> str:
        return self._store.key("allowance", openid)

    def open(self, openid: str, by: Opener) -> None:
        """Record an interaction that opens (or refills) a window."""
        prefix, _, sends = WINDOWS[0] if by == "event" else WINDOWS[1]
        key = self._key(openid)
        with self._store.redis.pipeline() as pipe:
            pipe.hset(
                key, mapping={f"{prefix}_at": repr(self._store.now()), f"{prefix}_left": sends}
            )
            pipe.expire(key, KEEP_SECONDS)
            pipe.execute()

    def close(self, openid: str) -> None:
        self._store.redis.delete(self._key(openid))

    def spend(self, openid: str) -> None:
        """Take one send from the open windows, or raise 45015 / 45047."""
        key = self._key(openid)

        def attempt(pipe) -> str:
            fields = pipe.hgetall(key)
            now = self._store.now()
            any_open = False
            for prefix, seconds, _ in WINDOWS:
                opened = float(fields.get(f"{prefix}_at") or 0)
                if opened and now - opened < seconds:
                    any_open = True
                    if int(fields.get(f"{prefix}_left") or 0) > 0:
                        pipe.multi()
                        pipe.hincrby(key, f"{prefix}_left", -1)
                        return "spent"
            return "used-up" if any_open else "closed"

        outcome = self._store.redis.transaction(attempt, key, value_from_callable=True)
        if outcome == "closed":
            raise ApiError(45015)
        if outcome == "used-up":
            raise ApiError(45047)

    def status(self, openid: str) -> dict:
        """What the chat page shows: each window's sends left and when it closes (epoch seconds)."""
        fields = self._store.redis.hgetall(self._key(openid))
        now = self._store.now()
        out = {}
        for (prefix, seconds, _), name in zip(WINDOWS, ("event", "message")):
            opened = float(fields.get(f"{prefix}_at") or 0)
            is_open = bool(opened) and now - opened < seconds
            out[name] = {
                "open": is_open,
                "left": int(fields.get(f"{prefix}_left") or 0) if is_open else 0,
                "closes_at": opened + seconds if is_open else None,
            }
        return out
