"""`redis.url` as a Sentinel address (redis+sentinel://…): the app finds the master through
real sentinels, keeps working when the master fails over to its replica, and a Redis that no
sentinel can name fails fast, as a Redis that is down does. Own redis-servers on free ports."""

from __future__ import annotations

import shutil
import time

import pytest
import redis

from tests.redis_server import RedisServer, free_port
from tests.wechat import say
from wechat_bot.config import ConfigError, load_config
from wechat_bot.store import StoreUnavailable, connect_store
from wechat_bot.webhook.answer import DEGRADED_NOTE

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")

SERVICE = "alumni"


def _wait(what: str, check, seconds: float = 15) -> None:
    give_up = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < give_up, f"timed out waiting for {what}"
        time.sleep(0.1)


def _role(server: RedisServer) -> str:
    with redis.Redis(port=server.port, socket_timeout=1, decode_responses=True) as probe:
        return probe.info("replication")["role"]


@pytest.fixture
def watched(tmp_path):
    """A master, its replica, and a sentinel watching them (quorum 1, so one sentinel may fail
    over): the sentinel's config must be a file it can rewrite."""
    # In tmp_path: a replica's full sync writes an RDB file to its folder.
    master = RedisServer("--dir", str(tmp_path))
    master.start()
    replica = RedisServer("--replicaof", "127.0.0.1", str(master.port), "--dir", str(tmp_path))
    servers = [master, replica]
    try:
        replica.start()
        _wait("the replica to sync", lambda: redis.Redis(port=replica.port, decode_responses=True)
              .info("replication").get("master_link_status") == "up")
        conf = tmp_path / "sentinel.conf"
        conf.write_text(f"sentinel monitor {SERVICE} 127.0.0.1 {master.port} 1\n"
                        f"sentinel down-after-milliseconds {SERVICE} 1000\n"
                        f"sentinel failover-timeout {SERVICE} 5000\n")
        sentinel = RedisServer("--sentinel", "--dir", str(tmp_path), config_file=str(conf))
        servers.append(sentinel)
        sentinel.start()
        yield master, replica, sentinel
    finally:
        for server in servers:
            server.kill()


def _sentinel_url(sentinel: RedisServer, *, dead_first: int | None = None) -> str:
    hosts = [f"127.0.0.1:{sentinel.port}"]
    if dead_first:
        hosts.insert(0, f"127.0.0.1:{dead_first}")
    return f"redis+sentinel://{','.join(hosts)}/{SERVICE}/0"


def test_a_sentinel_url_reaches_the_master_and_follows_it_when_it_fails_over(watched, make_app):
    master, replica, sentinel = watched
    # The first sentinel named is down: the next one is asked.
    url = _sentinel_url(sentinel, dead_first=free_port())
    app = make_app(redis={"url": url})
    client, runtime = app.test_client(), app.extensions["alumni_bot"]
    token = runtime.config.wechat.token
    assert "可用指令" in say(client, token, "o-sentinel", "帮助")
    assert client.get("/healthz").get_json()["redis"] == "ok"
    runtime.store.set(runtime.keys("probe"), "before")
    with redis.Redis(port=master.port, decode_responses=True) as direct:
        assert direct.get(runtime.keys("probe")) == "before"  # it wrote to the master

    with redis.Redis(port=sentinel.port, decode_responses=True) as control:
        _wait("the sentinel to see the replica",
              lambda: len(control.sentinel_slaves(SERVICE)) == 1 and "s_down" not in
              control.sentinel_slaves(SERVICE)[0]["flags"])

        master.kill()  # the master fails: the sentinel finds it down after a second, promotes the replica
        _wait("the failover", lambda: int(control.sentinel_get_master_addr_by_name(SERVICE)[1])
              == replica.port)
    _wait("the replica to be promoted", lambda: _role(replica) == "master")

    def written_to_new_master() -> bool:
        try:
            runtime.store.set(runtime.keys("probe"), "after")
        except redis.ConnectionError:
            return False  # the connection to the demoted master, dropped once ("now a slave")
        return True

    _wait("a write after the failover", written_to_new_master)
    with redis.Redis(port=replica.port, decode_responses=True) as direct:
        assert direct.get(runtime.keys("probe")) == "after"
    # The webhook's own round trips (a connection per thread, past redis-py's pool) follow too.
    reply = say(client, token, "o-sentinel", "帮助")
    assert "可用指令" in reply and DEGRADED_NOTE not in reply
    assert client.get("/healthz").status_code == 200


def test_with_no_sentinel_answering_the_store_fails_fast_and_then_refuses_at_once():
    store = connect_store(f"redis+sentinel://127.0.0.1:{free_port()},127.0.0.1:{free_port()}/{SERVICE}")
    started = time.monotonic()
    with pytest.raises(redis.ConnectionError):
        store.get("k")
    assert time.monotonic() - started < 3  # two sentinels at 0.5 s each, twice at most
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.get("k")  # the breaker is open: no sentinel is asked again for a while
    assert time.monotonic() - started < 0.1


@pytest.mark.parametrize("url", ["redis+sentinel://127.0.0.1:26379", "redis+sentinel://h:port/m",
                                 "redis+sentinel://h/m/db0"])
def test_a_malformed_sentinel_url_stops_start_up_naming_the_key(url):
    with pytest.raises(ConfigError, match=r"redis\.url"):
        load_config(environ={"ALUMNI_BOT_REDIS_URL": url})
