"""The WeChat sender's reading of what happened: a refused token, a dead server, an HTTP error."""

from __future__ import annotations

from types import SimpleNamespace

from models.push import Channel
from scheduler.sender import Outcome, Outgoing
from tests.loopback import LoopbackWeChat, running
from wechat_bot.push_sender import GROUP_MAX, build_sender, delivery_policy, group_size

MESSAGE = Outgoing(Channel.CUSTOM, "o-1", "你好")


def test_a_refused_token_is_refreshed_once_and_the_message_sent_once(runtime):
    stand_in = LoopbackWeChat(runtime.config.wechat.app_id, runtime.config.wechat.app_secret)
    with running(stand_in) as base_url:
        config = runtime.config.replace(wechat={"api_base_url": base_url})
        sender = build_sender(config, runtime.store, runtime.keys)
        assert sender.send(MESSAGE).outcome is Outcome.SENT
        stand_in.revoked.add(stand_in.tokens_issued[-1])  # WeChat retired the token: 40001
        assert sender.send(MESSAGE).outcome is Outcome.SENT
    assert len(stand_in.sent) == 2
    assert len(stand_in.tokens_issued) == 2


def test_nothing_listening_means_not_sent(runtime):
    config = runtime.config.replace(wechat={"api_base_url": "http://127.0.0.1:9"})
    result = build_sender(config, runtime.store, runtime.keys).send(MESSAGE)
    assert result.outcome is Outcome.NOT_SENT  # the token could not even be fetched


def test_an_http_error_status_may_have_arrived(runtime):
    tokens = LoopbackWeChat(runtime.config.wechat.app_id, runtime.config.wechat.app_secret)

    def gateway(environ, start_response):  # tokens fine, sends answered by a failing gateway
        if environ["PATH_INFO"] == "/cgi-bin/stable_token":
            return tokens.wsgi(environ, start_response)
        start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
        return [b"bad gateway"]

    with running(SimpleNamespace(wsgi=gateway)) as base_url:
        config = runtime.config.replace(wechat={"api_base_url": base_url})
        result = build_sender(config, runtime.store, runtime.keys).send(MESSAGE)
    assert (result.outcome, result.detail) == (Outcome.UNCERTAIN, "HTTP 502")


def _gateway(tokens: LoopbackWeChat, status: str, content_type: str, body: bytes):
    """Tokens from the stand-in; every send answered by something else in front of WeChat."""
    def wsgi(environ, start_response):
        if environ["PATH_INFO"] == "/cgi-bin/stable_token":
            return tokens.wsgi(environ, start_response)
        start_response(status, [("Content-Type", content_type)])
        return [body]
    return SimpleNamespace(wsgi=wsgi)


def test_a_page_that_is_not_wechats_json_may_have_arrived(runtime):
    tokens = LoopbackWeChat(runtime.config.wechat.app_id, runtime.config.wechat.app_secret)
    for body in (b"<html>\xe7\xbd\x91\xe5\x85\xb3</html>", b"[0]", b'{"errcode": 0'):
        with running(_gateway(tokens, "200 OK", "text/html", body)) as base_url:
            config = runtime.config.replace(wechat={"api_base_url": base_url})
            result = build_sender(config, runtime.store, runtime.keys).send(MESSAGE)
        assert (result.outcome, result.detail) == (Outcome.UNCERTAIN, "应答不是微信的 JSON"), body


def test_an_errcode_is_a_refusal_with_wechats_words(runtime):
    stand_in = LoopbackWeChat(runtime.config.wechat.app_id, runtime.config.wechat.app_secret)
    with running(stand_in) as base_url:
        config = runtime.config.replace(wechat={"api_base_url": base_url})
        sender = build_sender(config, runtime.store, runtime.keys)
        result = sender.send(Outgoing(Channel.TEMPLATE, "o-1", "你好", template_id="t"))
    assert (result.outcome, result.errcode, result.detail) == (
        Outcome.REFUSED, 48001, "api unauthorized")
    assert stand_in.calls[-1] == "/cgi-bin/message/template/send"


def test_a_group_holds_as_many_calls_as_half_the_lease_even_if_all_time_out(runtime):
    assert group_size(120, 5, 20) == 11  # 11 × (5 s + 1/20 s) = 55.6 s, inside 60 s
    assert group_size(1, 0.5, 1000) == 1  # the kill -9 tests' settings: one row at a time
    assert group_size(3600, 1, 1000) == GROUP_MAX
    config = runtime.config.replace(push={"lease_seconds": 60.0},
                                    wechat={"request_timeout_seconds": 2.0})
    assert delivery_policy(config).group == 13 == group_size(
        60, 2, config.push.rate_per_second, config.scheduler.delivery_threads)  # 4 lanes at 20/s
