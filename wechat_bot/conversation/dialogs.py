"""Dialog state in Redis, one key per user with a TTL, so any worker continues any conversation."""

from __future__ import annotations

import json

from handlers.context import DialogState
from wechat_bot.store import Keys


class DialogStore:
    def __init__(self, store, keys: Keys, ttl_seconds: int) -> None:
        self._store = store
        self._keys = keys
        self._ttl = ttl_seconds

    def load(self, openid: str, pipe=None):
        """The user's dialog state; given a pipeline, queue the read and parse its result later."""
        if pipe is not None:
            return pipe.get(self._keys.dialog(openid))
        return self.parse(self._store.get(self._keys.dialog(openid)))

    @staticmethod
    def parse(raw: str | None) -> DialogState:
        if not raw:
            return DialogState()
        data = json.loads(raw)
        return DialogState(data["name"], data["step"], data.get("data", {}))

    def save(self, openid: str, state: DialogState, pipe=None) -> None:
        target = pipe if pipe is not None else self._store
        key = self._keys.dialog(openid)
        if state.active:
            payload = {"name": state.name, "step": state.step, "data": state.data}
            target.set(key, json.dumps(payload, ensure_ascii=False), ex=self._ttl)
        else:
            target.delete(key)
