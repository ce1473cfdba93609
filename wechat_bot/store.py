"""The short-lived shared store: Redis in production, an in-process stand-in for `memory://`."""

from __future__ import annotations

import threading

import fakeredis
import redis
from hiredis import pack_command as _pack

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


class CommandBatch:
    """Redis commands recorded for one round trip, under redis-py's pipeline method names, so the
    parts that queue on a pipeline (dedup, dialogs, the inbox) queue here unchanged."""

    def __init__(self) -> None:
        self.commands: list[tuple] = []

    def _add(self, command: tuple) -> None:
        self.commands.append(command)

    def set(self, name: str, value: str, ex: int | None = None, nx: bool = False) -> None:
        self._add(("SET", name, value, *(("EX", ex) if ex else ()), *(("NX",) if nx else ())))

    def get(self, name: str) -> None:
        self._add(("GET", name))

    def delete(self, *names: str) -> None:
        self._add(("DEL", *names))

    def rpush(self, name: str, *values: str) -> None:
        self._add(("RPUSH", name, *values))


class RoundTrips:
    """Send a batch of commands in one round trip on a connection of the calling thread's own.

    The webhook's hot path: redis-py's pipeline takes a connection from the pool, wraps it in
    retries and metrics and parses through response callbacks, which costs twice the round trip
    itself (PROTOCOL.md's 5-second budget is not the issue; throughput per core is). Answers come
    back raw ("OK", None, the string); an error reply comes back as its exception, in its place.
    """

    def __init__(self, store) -> None:
        self._pool = store.connection_pool
        self._local = threading.local()

    def execute(self, commands: list[tuple]) -> list:
        if not commands:
            return []
        connection = self._connection()
        # hiredis packs a command in C; redis-py's own packer costs more than the syscalls.
        packed = [b"".join(map(_pack, commands))]
        try:
            try:
                connection.send_packed_command(packed)
                first = self._read(connection)
            except redis.ConnectionError:
                # Redis closed this connection while it sat idle (a restart, a timeout): it never
                # saw the commands, so they go once more on a new one, as redis-py's retry would.
                connection.disconnect()
                connection.send_packed_command(packed)
                first = self._read(connection)
            return [first, *(self._read(connection) for _ in commands[1:])]
        except BaseException:
            connection.disconnect()  # half-read answers would be the next batch's
            raise

    @staticmethod
    def _read(connection):
        try:
            return connection.read_response()
        except redis.ResponseError as exc:
            return exc

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._pool.connection_class(**self._pool.connection_kwargs)
            self._local.connection = connection
        return connection
