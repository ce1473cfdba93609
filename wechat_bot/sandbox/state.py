"""Where the sandbox keeps what it knows: Redis, under `keys("sandbox", ...)`.

Nothing lives in module globals, so the stand-in behaves the same with several gunicorn workers
sharing one Redis as with the demo's single process. The clock is the wall clock plus an offset
kept in Redis, so a test (or a curious staff member) can move time forward for every worker at
once and watch tokens expire or the 48-hour window close.
"""

from __future__ import annotations

import json
import time
from typing import Any

from wechat_bot.store import Keys


class SandboxStore:
    """The Redis client, the key names and the shared clock every part of the sandbox uses."""

    def __init__(self, redis, keys: Keys) -> None:
        self.redis = redis
        self._keys = keys

    def key(self, *parts: str) -> str:
        return self._keys("sandbox", *parts)

    def now(self) -> float:
        offset = self.redis.get(self.key("clock-offset"))
        return time.time() + (float(offset) if offset else 0.0)

    def shift_clock(self, seconds: float) -> float:
        """Move the sandbox's time forward (or back); answers the total offset."""
        return float(self.redis.incrbyfloat(self.key("clock-offset"), seconds))

    def reset_clock(self) -> None:
        self.redis.delete(self.key("clock-offset"))

    def next_id(self, name: str) -> int:
        return int(self.redis.incr(self.key("seq", name)))

    def get_json(self, key: str) -> Any:
        raw = self.redis.get(key)
        return json.loads(raw) if raw else None

    def set_json(self, key: str, value: Any, ttl_seconds: int | None = None) -> None:
        self.redis.set(key, json.dumps(value, ensure_ascii=False), ex=ttl_seconds)


class Sandbox:
    """The facade the API, the relay and the pages share; built once per app in init_app."""

    def __init__(self, runtime) -> None:
        from wechat_bot.sandbox.allowance import Allowance
        from wechat_bot.sandbox.catalog import Catalog
        from wechat_bot.sandbox.conversation import Conversation
        from wechat_bot.sandbox.faults import Faults
        from wechat_bot.sandbox.logins import Logins
        from wechat_bot.sandbox.people import People
        from wechat_bot.sandbox.reports import Reports
        from wechat_bot.sandbox.tokens import Tokens

        self.config = runtime.config
        self.store = SandboxStore(runtime.store, runtime.keys)
        self.people = People(self.store, self.config)
        self.allowance = Allowance(self.store)
        self.conversation = Conversation(self.store)
        self.tokens = Tokens(self.store)
        self.catalog = Catalog(self.store)
        self.faults = Faults(self.store)
        self.logins = Logins(self.store)
        self.reports = Reports(self.config)
        runtime.extras["sandbox.reports"] = self.reports  # closed with the runtime

    def now(self) -> float:
        return self.store.now()


def sandbox_of(app) -> Sandbox:
    return app.extensions["sandbox"]
