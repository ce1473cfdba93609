"""Every message in a simulated chat: what the alumnus sent, the passive replies, and every push
the stand-in API accepted, one Redis list per openid, in the order they happened.

Entries carry a global running id, so the chat page polls with "after the last id I have" and a
test can read exactly what the API accepted for a user (`accepted(openid)`).
"""

from __future__ import annotations

import json

from wechat_bot.sandbox.state import SandboxStore

KEEP_ENTRIES = 500  # per openid; a demo chat never needs more, and Redis stays small


class Conversation:
    def __init__(self, store: SandboxStore) -> None:
        self._store = store

    def _key(self, openid: str) -> str:
        return self._store.key("conversation", openid)

    def append(self, openid: str, origin: str, **fields) -> dict:
        """Store one entry; `origin`: user (the alumnus), reply (passive), api (a push), notice."""
        entry = {
            "id": self._store.next_id("entry"),
            "at": self._store.now(),
            "openid": openid,
            "origin": origin,
            **fields,
        }
        key = self._key(openid)
        with self._store.redis.pipeline() as pipe:
            pipe.rpush(key, json.dumps(entry, ensure_ascii=False))
            pipe.ltrim(key, -KEEP_ENTRIES, -1)
            pipe.execute()
        return entry

    def entries(self, *openids: str, after: int = 0) -> list[dict]:
        """A person's entries (official-account and mini-program openids), oldest first."""
        out: list[dict] = []
        for openid in openids:
            if openid:
                out += [
                    e
                    for e in map(json.loads, self._store.redis.lrange(self._key(openid), 0, -1))
                    if e["id"] > after
                ]
        return sorted(out, key=lambda e: e["id"])

    def accepted(self, openid: str) -> list[dict]:
        """What the stand-in API accepted for this openid: custom, template, subscribe, mass."""
        return [e for e in self.entries(openid) if e["origin"] == "api"]
