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
    """Reads and writes ride on the webhook's pipelines, with its dedup and its log record."""

    def __init__(self, keys: Keys, ttl_seconds: int) -> None:
        self._keys = keys
        self._ttl = ttl_seconds

    def load(self, openid: str, pipe) -> None:
        """Queue the read of the user's state on `pipe` (the webhook's first round trip); `parse`
        reads its result."""
        pipe.get(self._keys.dialog(openid))

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

    def save(self, openid: str, state: DialogState, pipe) -> None:
        """Queue the state's write (or, once it ended, the key's deletion) on `pipe`."""
        key = self._keys.dialog(openid)
        if state.active:
            payload = {"name": state.name, "step": state.step, "data": state.data}
            pipe.set(key, json.dumps(payload, ensure_ascii=False), ex=self._ttl)
        else:
            pipe.delete(key)
