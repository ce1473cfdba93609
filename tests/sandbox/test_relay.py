"""The chat page's relay: real signed webhook XML over real HTTP to the app's own /wechat, in each
mode, and what the sandbox learns from it (follow state, the customer-service window)."""

import time

import pytest
import requests

from tests.loopback import running
from tests.sandbox.support import AES_KEY


def _send(server, person, **body):
    response = requests.post(
        f"{server.url}/sandbox/_/send", json={"openid": person.openid, **body}, timeout=30
    )
    return response.status_code, response.json()


def _replies(answer):
    return [e for e in answer["entries"] if e["origin"] == "reply"]


def _first_person(server):
    return server.sandbox.people.all()[0]


@pytest.mark.parametrize("mode", ["plain", "compatible", "aes"])
def test_text_reaches_the_webhook_and_the_reply_comes_back_in_every_mode(live_server_factory, mode):
    server = live_server_factory(encoding_aes_key=AES_KEY)
    person = _first_person(server)
    status, answer = _send(server, person, action="subscribe", mode=mode)
    assert status == 200 and "欢迎关注" in _replies(answer)[0]["content"]
    status, answer = _send(server, person, action="text", content="帮助", mode=mode)
    assert status == 200
    [user, reply] = answer["entries"]
    assert user == {**user, "origin": "user", "msgtype": "text", "content": "帮助"}
    assert reply["msgtype"] == "text" and "可用指令" in reply["content"]
    assert answer["tries"] == 1


def test_plain_configuration_refuses_encrypted_modes(live_server):
    status, answer = _send(live_server, _first_person(live_server), action="subscribe", mode="aes")
    assert status == 409 and "EncodingAESKey" in answer["error"]


def test_subscribe_and_unsubscribe_set_the_follow_state(live_server):
    person = _first_person(live_server)
    status, answer = _send(live_server, person, action="text", content="帮助")
    assert status == 409 and answer["error"] == "请先关注公众号"
    _send(live_server, person, action="subscribe")
    assert answer_person(live_server, person)["subscribed"] is True
    client = live_server.runtime.wechat
    assert client.user.get(person.openid)["subscribe"] == 1
    status, answer = _send(live_server, person, action="unsubscribe")
    assert status == 200 and _replies(answer) == []
    assert client.user.get(person.openid)["subscribe"] == 0
    reply = requests.post(
        f"{live_server.url}/sandbox/api/cgi-bin/message/custom/send",
        params={"access_token": client.access_token},
        json={"touser": person.openid, "msgtype": "text", "text": {"content": "还在吗"}},
    ).json()
    assert reply["errcode"] == 43004


def answer_person(server, person):
    return requests.get(
        f"{server.url}/sandbox/_/conversation", params={"openid": person.openid}
    ).json()["person"]


def test_a_menu_tap_sends_the_click_and_opens_the_one_minute_window(live_server):
    person = _first_person(live_server)
    _send(live_server, person, action="subscribe")
    status, answer = _send(
        live_server, person, action="menu", path=[2, 1]
    )  # 分会 → 使用帮助 (HELP)
    assert status == 200
    assert answer["entries"][0]["content"] == "点击了菜单「使用帮助」"
    assert "可用指令" in _replies(answer)[0]["content"]
    assert answer["person"]["allowance"]["event"]["left"] == 3


def test_a_late_answer_by_customer_service_shows_in_the_conversation(live_server):
    person = _first_person(live_server)
    _send(live_server, person, action="subscribe")
    _send(live_server, person, action="text", content="你好")
    live_server.runtime.wechat.message.send_text(person.openid, "您报名的活动明天开始")
    entries = requests.get(
        f"{live_server.url}/sandbox/_/conversation", params={"openid": person.openid, "after": 0}
    ).json()["entries"]
    assert entries[-1]["channel"] == "custom" and entries[-1]["content"] == "您报名的活动明天开始"
    allowance = answer_person(live_server, person)["allowance"]
    # the subscribe's one-minute window pays for it first; the message's five are untouched
    assert (allowance["event"]["left"], allowance["message"]["left"]) == (2, 5)


def test_location_and_scan_send_the_real_fields(live_server):
    person = _first_person(live_server)
    status, answer = _send(live_server, person, action="scan", scene="checkin:42")
    assert (
        status == 200 and answer["person"]["subscribed"] is True
    )  # scanning while not following subscribes
    assert answer["person"]["qr_scene_str"] == "checkin:42"
    assert "扫码关注" in answer["entries"][0]["content"]
    status, answer = _send(live_server, person, action="scan", scene="checkin:42")
    assert status == 200 and answer["entries"][0]["content"] == "扫描了二维码（场景 checkin:42）"
    status, answer = _send(live_server, person, action="location", city="上海")
    assert status == 200 and answer["entries"][0]["msgtype"] == "location"
    assert answer["person"]["allowance"]["message"]["open"] is True
    status, answer = _send(live_server, person, action="location", city="火星")
    assert status == 409


def test_message_xml_is_what_wechat_sends(live_server, monkeypatch):
    # Catch the relay's request to /wechat and look at it as the webhook does.
    from wechat_bot.sandbox import relay
    from wechat_bot.webhook.crypto import signature
    from wechat_bot.webhook.xml import parse_xml

    seen = []
    real_post = requests.post

    def spy(url, params=None, data=None, **kwargs):
        if url.endswith("/wechat"):  # requests is one module: the test's own posts pass here too
            seen.append((params, data))
        return real_post(url, params=params, data=data, **kwargs)

    monkeypatch.setattr(relay.requests, "post", spy)
    config = live_server.runtime.config
    person = _first_person(live_server)
    _send(live_server, person, action="subscribe")
    _send(live_server, person, action="location", city="北京")
    query, body = seen[-1]
    assert query["signature"] == signature(config.wechat.token, query["timestamp"], query["nonce"])
    assert query["openid"] == person.openid
    fields = parse_xml(body)
    assert (
        fields["ToUserName"] == config.wechat.original_id
        and fields["FromUserName"] == person.openid
    )
    assert fields["MsgType"] == "location" and float(fields["Location_X"]) == pytest.approx(39.9042)
    assert fields["MsgId"].isdigit() and abs(int(fields["CreateTime"]) - time.time()) < 60


def test_an_unreachable_app_shows_what_the_wechat_client_shows(sandbox_app):
    from wechat_bot.sandbox import relay

    # sandbox_app's base_url is a port where nothing listens
    person = sandbox_app.extensions["sandbox"].people.all()[0]
    response = sandbox_app.test_client().post(
        "/sandbox/_/send", json={"openid": person.openid, "action": "subscribe"}
    )
    assert response.status_code == 200
    entry = response.get_json()["entries"][-1]
    assert entry == {**entry, "msgtype": "error", "content": relay.UNAVAILABLE}


class _Collector:
    """Another server on loopback: whatever reaches it was sent where the Host header said."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def wsgi(self, environ, start_response):
        self.seen.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"success"]


def test_the_relay_posts_to_the_configured_base_url_whatever_the_host_header_says(live_server):
    collector = _Collector()
    person = _first_person(live_server)
    with running(collector) as elsewhere:
        response = requests.post(
            f"{live_server.url}/sandbox/_/send",
            json={"openid": person.openid, "action": "subscribe"},
            headers={"Host": elsewhere.removeprefix("http://")},
            timeout=30,
        )
    assert collector.seen == []  # no signed webhook request went to the Host header's address
    assert response.status_code == 200
    assert "欢迎关注" in _replies(response.json())[0]["content"]


def test_in_safe_mode_the_phone_sends_only_encrypted_messages(live_server_factory):
    server = live_server_factory(encoding_aes_key=AES_KEY, message_mode="safe")
    state = requests.get(f"{server.url}/sandbox/_/state", timeout=10).json()
    assert (state["mode"], state["modes"]) == ("aes", ["aes"])
    person = _first_person(server)
    status, answer = _send(server, person, action="subscribe")
    assert status == 200 and "欢迎关注" in _replies(answer)[0]["content"]
    status, answer = _send(server, person, action="text", content="帮助", mode="plain")
    assert status == 409 and "加密" in answer["error"]


def test_news_replies_are_checked_against_wechats_article_limits():
    from wechat_bot.config import Config
    from wechat_bot.sandbox.relay import Reply, _read_reply

    config = Config()
    item = (
        "<item><Title><![CDATA[返校]]></Title><Description><![CDATA[d]]></Description>"
        "<PicUrl><![CDATA[http://x/p.jpg]]></PicUrl><Url><![CDATA[http://x]]></Url></item>"
    )

    def reply_to(sent, count):
        xml = (
            f"<xml><ToUserName><![CDATA[oA]]></ToUserName><FromUserName><![CDATA[{config.wechat.original_id}]]>"
            f"</FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[news]]></MsgType>"
            f"<ArticleCount>{count}</ArticleCount><Articles>{item * count}</Articles></xml>"
        )
        response = requests.models.Response()
        response.status_code, response._content, response.encoding = 200, xml.encode(), "utf-8"
        result = Reply()
        _read_reply(response, sent, "oA", config, result)
        return result

    assert reply_to({"MsgType": "text"}, 1).entries[0]["articles"][0]["title"] == "返校"
    refused = reply_to({"MsgType": "text"}, 2)
    assert refused.entries[0]["msgtype"] == "error" and "最多 1 篇" in refused.notices[0]
    assert len(reply_to({"MsgType": "event"}, 8).entries[0]["articles"]) == 8
    assert reply_to({"MsgType": "event"}, 9).entries[0]["msgtype"] == "error"


def test_consent_in_the_chat_reaches_the_webhook_and_allows_one_bizsend(live_server, monkeypatch):
    from wechat_bot.sandbox import relay
    from wechat_bot.webhook.xml import parse_xml

    person = _first_person(live_server)
    _send(live_server, person, action="subscribe")
    seen = []
    real_post = requests.post

    def spy(url, params=None, data=None, **kwargs):
        if url.endswith("/wechat"):  # requests is one module: the test's own posts pass here too
            seen.append(parse_xml(data))
        return real_post(url, params=params, data=data, **kwargs)

    monkeypatch.setattr(relay.requests, "post", spy)
    template_id = "alumni-sandbox-sub-event-reminder"
    granted = requests.post(
        f"{live_server.url}/sandbox/_/consents",
        json={"openid": person.openid, "template_id": template_id},
    ).json()
    assert granted["consents"] == 1
    assert seen[0]["Event"] == "subscribe_msg_popup_event"
    assert seen[0]["SubscribeMsgPopupEvent"]["List"]["TemplateId"] == template_id
    data = {
        "thing1": {"value": "返校日"},
        "time2": {"value": "2026-06-06 09:00"},
        "thing3": {"value": "大礼堂"},
    }
    client = live_server.runtime.wechat
    assert client.message.send_subscribe_message(person.openid, template_id, data)["errcode"] == 0
    with pytest.raises(Exception) as refused:
        client.message.send_subscribe_message(person.openid, template_id, data)
    assert refused.value.errcode == 43101


def test_the_phone_offers_follow_only_to_others_and_unfollow_only_to_followers(live_server):
    person = _first_person(live_server)
    assert _send(live_server, person, action="unsubscribe")[0] == 409
    assert _send(live_server, person, action="menu", path=[2, 1])[0] == 409
    assert _send(live_server, person, action="subscribe")[0] == 200
    status, answer = _send(live_server, person, action="subscribe")
    assert status == 409 and answer["error"] == "已经关注了公众号"


def _slow_server(live_server_factory, answer, push=None):
    """A live server whose 查找 takes longer than the reply deadline, then answers `answer`."""
    from handlers import help
    from wechat_bot.conversation.table import ANYTHING, RoutingTable, event, keyword

    def slow(ctx):
        time.sleep(1.2)
        return answer

    routes = RoutingTable(
        routes=(keyword("查找", to=slow, takes=ANYTHING), event("subscribe", to=lambda ctx: "欢迎")),
        fallback=help.not_understood,
    )
    return live_server_factory(routes=routes, push=push, reply_deadline_seconds=0.5)


def _ask_slowly(server, person):
    """Ask the slow question: the phone shows the holding reply at once."""
    from wechat_bot.webhook.deadline import HOLDING_REPLY

    status, answer = _send(server, person, action="text", content="查找 张伟")
    assert status == 200 and _replies(answer)[0]["content"] == HOLDING_REPLY


def _pushes(server, person, count=1):
    """What the stand-in API accepted for the person, once `count` messages are in (or 10 s)."""
    deadline = time.monotonic() + 10
    while len(pushes := server.sandbox.conversation.accepted(person.openid)) < count:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return pushes


def _reply_row(server, **where):
    """The late answer's delivery row once it matches `where` (or 10 s)."""
    from sqlalchemy import select

    from models.push import Delivery, Push

    deadline = time.monotonic() + 10
    while True:
        with server.runtime.sessions() as session:
            row = session.scalars(select(Delivery).join(Push).where(Push.kind == "reply")).first()
        if row is not None and all(getattr(row, k) == v for k, v in where.items()):
            return row
        assert time.monotonic() < deadline, f"no reply row with {where}: {row}"
        time.sleep(0.05)


def test_a_slow_handler_answers_with_the_holding_reply_then_a_push(live_server_factory):
    # The webhook's 5-second rule seen from the phone: a holding reply at once, the real answer
    # later as a customer-service message through the sandbox API.
    server = _slow_server(live_server_factory, "查询完成：共找到 3 位校友。")
    person = _first_person(server)
    _send(server, person, action="subscribe")
    _ask_slowly(server, person)
    assert [p["content"] for p in _pushes(server, person)] == ["查询完成：共找到 3 位校友。"]


def test_a_late_answer_whose_first_call_fails_arrives_on_the_schedulers_retry(
        live_server_factory):
    from scheduler.jobs import Delivery, JobContext, JobSettings, deliver_pushes
    from wechat_bot.commands.push import push_status
    from wechat_bot.push_sender import build_delivery

    server = _slow_server(live_server_factory, "查询完成：共找到 3 位校友。")
    person = _first_person(server)
    _send(server, person, action="subscribe")
    server.sandbox.faults.set({"busy_rate": 1.0, "paths": ["message/custom/send"]})
    _ask_slowly(server, person)
    row = _reply_row(server, attempts=1, status="pending")
    assert row.errcode == -1  # WeChat was busy: nothing arrived, the row waits for its retry
    assert server.sandbox.conversation.accepted(person.openid) == []
    server.sandbox.faults.clear()
    sender, limiter = build_delivery(server.runtime)
    scheduler = JobContext(sessions=server.runtime.sessions, store=server.runtime.store,
                           settings=JobSettings(), delivery=Delivery(sender, limiter),
                           clock=lambda: row.next_attempt_at)
    assert deliver_pushes(scheduler) == 1
    assert [p["content"] for p in _pushes(server, person)] == ["查询完成：共找到 3 位校友。"]
    row = _reply_row(server)
    assert (row.status, row.channel, row.attempts) == ("sent", "custom", 2)
    output = server.app.test_cli_runner().invoke(push_status, [str(row.push_id)]).output
    assert "内容：查询完成：共找到 3 位校友。" in output and "已发送：1" in output


LONG_ANSWER = ("查询完成：共找到 3 位校友：张伟（2011 级计算机）、张伟（2015 级数学）、"
               "张薇（2009 级化学）。")


@pytest.mark.parametrize("answer, expected", [
    (LONG_ANSWER, {"msgtype": "text", "content": LONG_ANSWER}),
    ("news", {"msgtype": "news", "articles": [{
        "title": "张伟（2011 级计算机）", "description": "北京校友会", "url": "https://example.org/a/1",
        "picurl": ""}]}),
    ("image", {"msgtype": "image", "media_id": "MEDIA_ID_OF_THE_CARD"}),
])
def test_a_late_answer_is_the_whole_reply_by_customer_service_even_with_a_template(
        live_server_factory, answer, expected):
    # A template would cut the answer to 20 characters, and the user has just written, so the
    # customer-service window is open: the late answer goes by customer service, whole.
    from handlers.context import Article, Image, News

    reply = {"news": News((Article("张伟（2011 级计算机）", "北京校友会", "https://example.org/a/1"),
                           Article("张伟（2015 级数学）"))),
             "image": Image("MEDIA_ID_OF_THE_CARD")}.get(answer, answer)
    template = {"template_id": "alumni-sandbox-tpl-notice", "template_data": ["thing1={text}"]}
    server = _slow_server(live_server_factory, reply, push=template)
    person = _first_person(server)
    _send(server, person, action="subscribe")
    _ask_slowly(server, person)
    (push,) = _pushes(server, person)
    assert push["channel"] == "custom"
    assert {key: push.get(key) for key in expected} == expected
    assert _reply_row(server).status == "sent"
