"""The short-lived shared store: Redis in production, an in-process stand-in for `memory://`."""

from __future__ import annotations

import functools
import logging
import threading
import time
from urllib.parse import parse_qs, unquote, urlsplit

import fakeredis
import redis
from hiredis import pack_command as _pack
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

log = logging.getLogger(__name__)

MEMORY_URL = "memory://"
SENTINEL_SCHEME = "redis+sentinel"
SENTINEL_PORT = 26379
# The in-process store is, by definition, this process's: every app built here with the same
# memory:// URL sees the same data, as every worker sees the same Redis in production.
_memory_servers: dict[str, fakeredis.FakeServer] = {}


def connect_store(url: str, outage_pause: float = 2.0) -> redis.Redis:
    """A Redis client for `url`; `memory://` is an in-process server (one process only).

    A Redis that is down must cost a message little: a connect gives up after half a second and
    is tried once more at most (redis-py's default retries ten times with backoff), no command on a
    healthy Redis takes two seconds, and after a failed connect every call fails at once for
    `outage_pause` seconds (`Breaker`) instead of each waiting on its own timeout.
    """
    if url.startswith(MEMORY_URL):
        server = _memory_servers.setdefault(url, fakeredis.FakeServer())
        return fakeredis.FakeRedis(server=server, decode_responses=True)
    timeouts = {"socket_timeout": 2, "socket_connect_timeout": 0.5, "retry": Retry(NoBackoff(), 1),
                "health_check_interval": 30}
    if is_sentinel(url):
        store, guard = _sentinel_master(url, timeouts), _GuardedSentinel
    else:
        store, guard = redis.Redis.from_url(url, decode_responses=True, **timeouts), _Guarded
    pool = store.connection_pool
    pool.connection_class = type(f"Guarded{pool.connection_class.__name__}",
                                 (guard, pool.connection_class), {"breaker": Breaker(outage_pause)})
    return store


def is_sentinel(url: str) -> bool:
    return url.startswith(f"{SENTINEL_SCHEME}://")


def _sentinel_master(url: str, timeouts: dict) -> redis.Redis:
    """The master of a Sentinel-watched Redis, as redis-py's `Sentinel.master_for` finds it:
    `redis+sentinel://[[user]:password@]host1:26379,host2:26379/service[/db][?sentinel_password=…]`.

    The password is the Redis servers' (`requirepass`); sentinels with a password of their own take
    `sentinel_password`. A sentinel that is down costs half a second before the next is asked.
    """
    service, db, sentinels, credentials, query = parse_sentinel_url(url)
    sentinel_password = query.get("sentinel_password")
    sentinel = Sentinel(sentinels, sentinel_kwargs={
        "socket_timeout": 0.5, "socket_connect_timeout": 0.5, "password": sentinel_password})
    return sentinel.master_for(service, db=db, decode_responses=True, **credentials, **timeouts)


def parse_sentinel_url(url: str) -> tuple[str, int, list[tuple[str, int]], dict, dict]:
    """(service name, db, [(host, port)], {username, password}, query) of a `redis+sentinel://`
    URL; ValueError with the reason when it is not one."""
    parts = urlsplit(url)
    userinfo, _, hosts = parts.netloc.rpartition("@")
    sentinels = []
    for address in filter(None, hosts.split(",")):
        host, _, port = address.rpartition(":") if ":" in address else (address, "", "")
        if not host or (port and not port.isdigit()):
            raise ValueError(f"哨兵地址 {address!r} 应为 主机:端口")
        sentinels.append((host, int(port or SENTINEL_PORT)))
    path = [unquote(p) for p in parts.path.split("/") if p]
    if not sentinels or not 1 <= len(path) <= 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ValueError("应为 redis+sentinel://[:密码@]主机1:26379,主机2:26379/主节点名称[/库号]")
    username, _, password = userinfo.partition(":")
    credentials = {k: unquote(v) for k, v in (("username", username), ("password", password)) if v}
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    return path[0], int(path[1]) if len(path) == 2 else 0, sentinels, credentials, query


class StoreUnavailable(redis.ConnectionError):
    """Redis failed moments ago: not tried again until the breaker's pause is over."""


class Breaker:
    """After a failed connect (or a read that timed out), connects fail at once for `pause`
    seconds; then one caller tries, and its success closes the breaker for everyone."""

    def __init__(self, pause: float) -> None:
        self._pause = pause
        self._lock = threading.Lock()
        self._open_until: float | None = None
        self._probing = False

    def before_connect(self) -> bool:
        """Raise StoreUnavailable while open; True when this caller is the one to try."""
        with self._lock:
            if self._open_until is None:
                return False
            if self._probing or time.monotonic() < self._open_until:
                raise StoreUnavailable("Redis is unavailable; retrying shortly")
            self._probing = True
            return True

    def failed(self) -> None:
        with self._lock:
            if self._open_until is None:
                log.warning("Redis 不可用：先不依赖它回答，每 %s 秒重试一次",
                            self._pause)
            self._open_until = time.monotonic() + self._pause
            self._probing = False

    def attempt(self, connect) -> None:
        """Run `connect` through the breaker: refused at once while open, its outcome recorded."""
        probe = self.before_connect()
        try:
            connect()
        except (redis.ConnectionError, redis.TimeoutError):
            self.failed()
            raise
        finally:
            if probe:
                self.end_probe()
        self.connected()

    def connected(self) -> None:
        with self._lock:
            if self._open_until is not None:
                log.info("Redis 已恢复")
            self._open_until = None
            self._probing = False

    def end_probe(self) -> None:
        with self._lock:
            self._probing = False


class _BreakerReads:
    """A read that timed out opens the breaker too: a Redis that accepts but no longer answers."""

    breaker: Breaker

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except redis.TimeoutError:
            self.breaker.failed()
            raise


class _Guarded(_BreakerReads):
    """Mixed into the pool's connection class: every connect, whether from redis-py's pool or
    from `RoundTrips`, passes the breaker."""

    def connect_check_health(self, *args, **kwargs):
        if self._sock:
            return super().connect_check_health(*args, **kwargs)
        self.breaker.attempt(functools.partial(super().connect_check_health, *args, **kwargs))


class _GuardedSentinel(_BreakerReads):
    """The same for a Sentinel-managed connection, whose connect first asks the sentinels for the
    master: sentinels that are all down open the breaker as a master that is down does."""

    _finding_master = False

    def connect(self):
        if self._sock:
            return
        self.breaker.attempt(self._find_master_and_connect)

    def _find_master_and_connect(self) -> None:
        self._finding_master = True
        try:
            super().connect()
        finally:
            self._finding_master = False

    def connect_check_health(self, *args, **kwargs):
        # redis-py's send_packed_command connects this way, which would skip the sentinels and
        # dial the default localhost:6379 (`RoundTrips` sends on connections of its own).
        if self._sock or self._finding_master:
            return super().connect_check_health(*args, **kwargs)
        return self.connect()


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

    def set(self, name: str, value: str, ex: int | None = None, nx: bool = False,
            px: int | None = None) -> None:
        self._add(("SET", name, value, *(("EX", ex) if ex else ()), *(("PX", px) if px else ()),
                   *(("NX",) if nx else ())))

    def get(self, name: str) -> None:
        self._add(("GET", name))

    def delete(self, *names: str) -> None:
        self._add(("DEL", *names))

    def rpush(self, name: str, *values: str) -> None:
        self._add(("RPUSH", name, *values))

    def ltrim(self, name: str, start: int, end: int) -> None:
        self._add(("LTRIM", name, start, end))

    def execute_command(self, *command) -> None:
        """Any command, as Redis spells it (redis-py's pipeline has the same method)."""
        self._add(command)


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
