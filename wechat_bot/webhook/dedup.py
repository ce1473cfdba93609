"""Handle each WeChat message once: retries of the same MsgId get the first reply back."""

from __future__ import annotations

import time

from wechat_bot.store import Keys

PENDING = "\x00pending"


class Deduplicator:
    def __init__(self, store, keys: Keys, ttl_seconds: int) -> None:
        self._store = store
        self._keys = keys
        self._ttl = ttl_seconds

    def claim(self, message_key: str, pipe=None) -> bool:
        """True for the first delivery of a message; retries get False (queued on `pipe` if given)."""
        target = pipe if pipe is not None else self._store
        result = target.set(self._keys.dedup(message_key), PENDING, nx=True, ex=self._ttl)
        return result if pipe is not None else bool(result)

    def remember(self, message_key: str, reply_xml: str, pipe=None) -> None:
        (pipe if pipe is not None else self._store).set(self._keys.dedup(message_key), reply_xml, ex=self._ttl)

    def first_reply(self, message_key: str, wait_seconds: float) -> str:
        """The stored reply of the first delivery, waiting while it is still being handled.

        A retry only arrives while the first is running if WeChat gave up on a slow answer; the
        first delivery answers within the deadline, so waiting that long is enough. If nothing is
        stored by then, `""` tells WeChat there is nothing more to show.
        """
        key = self._keys.dedup(message_key)
        give_up = time.monotonic() + wait_seconds
        while True:
            value = self._store.get(key)
            if value is not None and value != PENDING:
                return value
            if time.monotonic() >= give_up:
                return ""
            time.sleep(0.05)
