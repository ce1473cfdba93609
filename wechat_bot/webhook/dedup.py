"""Handle each WeChat message once: retries of the same MsgId get the first reply back.

The first delivery claims the message with a short lease (`claim_seconds`: the reply deadline and
a margin); its reply, stored when it answers, replaces the claim for `ttl_seconds`. A live worker
always stores something within the deadline: its reply, or the holding reply when the handler
overruns (deadline.py). So a claim that outlives its lease was left by a worker that died
mid-request (kill -9, OOM): its transaction was rolled back with its connection, and the retry
that finds the claim gone takes it over and handles the message: answered once, never twice.
"""

from __future__ import annotations

import time

from wechat_bot.store import Keys

PENDING = "\x00pending"
# How long past the reply deadline a live worker may take to store its reply (the write-behind
# sends it within 50 ms; a handler that wrote to the database sends it before replying).
CLAIM_MARGIN_SECONDS = 2.0


class Deduplicator:
    def __init__(self, store, keys: Keys, ttl_seconds: int, claim_seconds: float) -> None:
        self._store = store
        self._keys = keys
        self._ttl = ttl_seconds
        self.claim_ms = max(1, int(claim_seconds * 1000))

    def claim(self, message_key: str, pipe=None) -> bool:
        """True for the first delivery of a message; retries get False (queued on `pipe` if given)."""
        target = pipe if pipe is not None else self._store
        result = target.set(self._keys.dedup(message_key), PENDING, nx=True, px=self.claim_ms)
        return result if pipe is not None else bool(result)

    def remember(self, message_key: str, reply_xml: str, pipe=None) -> None:
        (pipe if pipe is not None else self._store).set(self._keys.dedup(message_key), reply_xml, ex=self._ttl)

    def first_reply(self, message_key: str) -> str | None:
        """The stored reply of the first delivery, waiting while it is still being handled; None
        when its claim ran out unanswered (its worker died) and this caller now holds the claim.

        Waiting one claim's lease is enough: by then the reply is stored or the claim is gone.
        If neither (Redis lost the write), `""` tells WeChat there is nothing more to show.
        """
        key = self._keys.dedup(message_key)
        give_up = time.monotonic() + self.claim_ms / 1000 + 0.5
        while True:
            value = self._store.get(key)
            if value is None and self.claim(message_key):
                return None
            if value is not None and value != PENDING:
                return value
            if time.monotonic() >= give_up:
                return ""
            time.sleep(0.05)
