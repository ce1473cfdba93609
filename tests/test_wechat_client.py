"""The one WeChat client: configurable base, a token shared through Redis, one refresh on 40001."""

import threading

import pytest
import requests

from tests.loopback import LoopbackWeChat, running
from wechat_bot.store import Keys, connect_store
from wechat_bot.wechat_client import build_wechat_client


@pytest.fixture
def stand_in(config):
    api = LoopbackWeChat(config.wechat.app_id, config.wechat.app_secret)
    with running(api) as base_url:
        yield api, config.replace(wechat={"api_base_url": base_url})


@pytest.fixture
def store(config):
    return connect_store(config.redis.url)


def test_every_call_and_the_token_go_through_the_configured_base(stand_in, store, config):
    api, cfg = stand_in
    client = build_wechat_client(cfg, store, Keys(config.redis.key_prefix))
    client.message.send_text("o-1", "你好")
    assert api.calls == ["/cgi-bin/stable_token", "/cgi-bin/message/custom/send"]
    assert api.sent[0]["text"]["content"] == "你好"


def test_clients_sharing_redis_share_one_token(stand_in, store, config):
    api, cfg = stand_in
    keys = Keys(config.redis.key_prefix)
    first, second = build_wechat_client(cfg, store, keys), build_wechat_client(cfg, store, keys)
    first.message.send_text("o-1", "a")
    second.message.send_text("o-1", "b")
    assert api.tokens_issued == ["token-1"]


def test_concurrent_first_calls_fetch_the_token_once(stand_in, store, config):
    api, cfg = stand_in
    api.fetch_delay = 0.2
    keys = Keys(config.redis.key_prefix)
    clients = [build_wechat_client(cfg, store, keys) for _ in range(6)]
    threads = [threading.Thread(target=c.message.send_text, args=("o-1", "x")) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert api.tokens_issued == ["token-1"]
    assert len(api.sent) == 6


def test_a_refused_token_is_refreshed_once_and_the_call_retried(stand_in, store, config):
    api, cfg = stand_in
    client = build_wechat_client(cfg, store, Keys(config.redis.key_prefix))
    client.message.send_text("o-1", "first")
    api.revoked.add("token-1")
    client.message.send_text("o-1", "second")
    assert api.tokens_issued == ["token-1", "token-2"]
    assert [m["text"]["content"] for m in api.sent] == ["first", "second"]


def test_a_second_process_does_not_refetch_after_the_first_refreshed(stand_in, store, config):
    api, cfg = stand_in
    keys = Keys(config.redis.key_prefix)
    first, second = build_wechat_client(cfg, store, keys), build_wechat_client(cfg, store, keys)
    first.message.send_text("o-1", "a")
    api.revoked.add("token-1")
    first.message.send_text("o-1", "b")   # refreshes to token-2
    second.message.send_text("o-1", "c")  # reads token-2 from Redis
    assert api.tokens_issued == ["token-1", "token-2"]


def test_wrong_app_secret_is_reported_as_wechat_error(stand_in, store, config):
    from wechatpy.exceptions import WeChatClientException

    _, cfg = stand_in
    client = build_wechat_client(cfg.replace(wechat={"app_secret": "wrong"}), store, Keys(config.redis.key_prefix))
    with pytest.raises(WeChatClientException) as caught:
        client.message.send_text("o-1", "x")
    assert caught.value.errcode == 40013


def test_the_environments_proxy_still_carries_every_call(stand_in, store, config, monkeypatch):
    # The client reads the proxy variables once, when it is built (requests would read them on
    # every call): a base URL only the proxy can reach still works, and NO_PROXY still applies.
    api, cfg = stand_in
    proxy = cfg.wechat.api_base_url  # the stand-in answers absolute-URL requests as a proxy
    cfg = cfg.replace(wechat={"api_base_url": "http://api.weixin.invalid"})
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = build_wechat_client(cfg, store, Keys(config.redis.key_prefix))
    monkeypatch.delenv("HTTP_PROXY")  # what it read when built is what it keeps using
    client.message.send_text("o-1", "经代理")
    assert api.sent[-1]["text"]["content"] == "经代理"

    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", "api.weixin.invalid")
    direct = build_wechat_client(cfg, store, Keys(config.redis.key_prefix + "direct:"))
    with pytest.raises(requests.ConnectionError):  # no proxy for that host: a name nobody has
        direct.message.send_text("o-1", "直连")
    assert len(api.sent) == 1
