"""Dialog state in Redis, one key per user with a TTL, so any worker continues any conversation.

The stored shape, {"name", "step", "data"}, is the one every version has written: a state saved
by an earlier version reads as before, and the router drops one whose dialog or step it no longer
knows (router.py). What cannot be read at all is dropped here, and its key deleted.
"""

from __future__ import annotations

import json
import logging

from handlers.context import DialogState
from wechat_bot.store import Keys

log = logging.getLogger(__name__)


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
        try:
            saved = json.loads(raw)
            state = DialogState(saved["name"], saved["step"], saved.get("data", {}))
        except (ValueError, TypeError, KeyError, AttributeError):
            state = None
        if state is None or not (isinstance(state.name, str) and isinstance(state.step, str)
                                 and isinstance(state.data, dict)):
            # Its content may name the alumnus: the line says only that one was dropped.
            log.warning("无法读取的对话状态已丢弃，用户将从头开始")
            state = DialogState()
            state.end()  # marks it changed, so the key is deleted with the reply's writes
        return state

    def save(self, openid: str, state: DialogState, pipe=None) -> None:
        target = pipe if pipe is not None else self._store
        key = self._keys.dialog(openid)
        if state.active:
            payload = {"name": state.name, "step": state.step, "data": state.data}
            target.set(key, json.dumps(payload, ensure_ascii=False), ex=self._ttl)
        else:
            target.delete(key)
