"""The short-lived shared store: Redis in production, an in-process stand-in for `memory://`."""

from __future__ import annotations

import fakeredis
import redis

MEMORY_URL = "memory://"
# The in-process store is, by definition, this process's: every app built here with the same
# memory:// URL sees the same data, as every worker sees the same Redis in production.
_memory_servers: dict[str, fakeredis.FakeServer] = {}


def connect_store(url: str) -> redis.Redis:
    """A Redis client for `url`; `memory://` is an in-process server (one process only)."""
    if url.startswith(MEMORY_URL):
        server = _memory_servers.setdefault(url, fakeredis.FakeServer())
        return fakeredis.FakeRedis(server=server, decode_responses=True)
    return redis.Redis.from_url(url, decode_responses=True, socket_timeout=5, health_check_interval=30)


def is_in_process(url: str) -> bool:
    return url.startswith(MEMORY_URL)


class Keys:
    """Every Redis key the app writes, under one prefix so a shared Redis stays tidy."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def dedup(self, message_key: str) -> str:
        return f"{self.prefix}dedup:{message_key}"

    def dialog(self, openid: str) -> str:
        return f"{self.prefix}dialog:{openid}"

    def access_token(self, app_id: str) -> str:
        return f"{self.prefix}wechat:token:{app_id}"

    def access_token_lock(self, app_id: str) -> str:
        return f"{self.prefix}wechat:token-lock:{app_id}"

    def __call__(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)
