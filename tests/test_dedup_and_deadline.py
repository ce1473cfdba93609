"""WeChat's retries are answered once; slow handlers get a holding reply, then the real answer."""

import threading
import time

import pytest
from sqlalchemy import func, select

from handlers.context import Context
from models import MessageLog
from tests.loopback import LoopbackWeChat, running
from tests.wechat import event_xml, post, reply_content, text_xml
from wechat_bot.conversation.table import NUMBER, RoutingTable, keyword
from wechat_bot.webhook.deadline import HOLDING_REPLY

SIGNUPS: list[str] = []


def _sign_up(ctx: Context) -> str:
    SIGNUPS.append(ctx.user.openid)
    return f"报名成功，这是第 {len(SIGNUPS)} 位"


def _help(ctx: Context) -> str:
    return "帮助"


def test_three_retries_of_one_message_are_handled_once(make_app, config, runtime):
    SIGNUPS.clear()
    app = make_app(routes=RoutingTable(routes=(keyword("报名", to=_sign_up, takes=NUMBER),), fallback=_help))
    client = app.test_client()
    body = text_xml("o-retry", "报名 1", msg_id=123456789)
    replies = [reply_content(post(client, config.wechat.token, body).get_data(as_text=True)) for _ in range(4)]
    assert SIGNUPS == ["o-retry"]
    assert replies == ["报名成功，这是第 1 位"] * 4
    app.extensions["alumni_bot"].inbox.flush()
    with app.extensions["alumni_bot"].sessions() as session:
        assert session.scalar(select(func.count()).select_from(MessageLog)) == 1


def test_a_new_message_with_the_same_text_is_handled_again(make_app, config):
    SIGNUPS.clear()
    client = make_app(routes=RoutingTable(routes=(keyword("报名", to=_sign_up, takes=NUMBER),), fallback=_help)).test_client()
    post(client, config.wechat.token, text_xml("o-twice", "报名 1", msg_id=1))
    post(client, config.wechat.token, text_xml("o-twice", "报名 1", msg_id=2))
    assert SIGNUPS == ["o-twice", "o-twice"]


def test_retried_events_are_deduplicated_by_sender_time_and_event(client, config, runtime):
    for _ in range(3):
        post(client, config.wechat.token, event_xml("o-ev", "subscribe", create_time=1700000000))
    post(client, config.wechat.token, event_xml("o-ev", "subscribe", create_time=1700000999))
    runtime.inbox.flush()
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MessageLog)) == 2


def test_a_retry_arriving_while_the_first_is_still_running_gets_the_first_reply(make_app, config):
    release = threading.Event()

    def slowish(ctx: Context) -> str:
        release.wait(2)
        return "第一次的回复"

    app = make_app(routes=RoutingTable(routes=(keyword("慢", to=slowish),), fallback=_help))
    body = text_xml("o-concurrent", "慢", msg_id=42)
    results = {}

    def first():
        results["first"] = reply_content(post(app.test_client(), config.wechat.token, body).get_data(as_text=True))

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.2)
    threading.Timer(0.3, release.set).start()
    retry = reply_content(post(app.test_client(), config.wechat.token, body).get_data(as_text=True))
    thread.join()
    assert results["first"] == retry == "第一次的回复"


@pytest.fixture
def wechat_stand_in(config):
    stand_in = LoopbackWeChat(config.wechat.app_id, config.wechat.app_secret)
    with running(stand_in) as base_url:
        yield stand_in, base_url


def test_slow_handler_gets_a_holding_reply_then_a_customer_service_message(make_app, config, wechat_stand_in):
    stand_in, base_url = wechat_stand_in

    def slow(ctx: Context) -> str:
        time.sleep(1.0)
        return "查询结果：共 3 位校友"

    app = make_app(routes=RoutingTable(routes=(keyword("慢查", to=slow),), fallback=_help),
                   wechat={"api_base_url": base_url, "reply_deadline_seconds": 0.5})
    started = time.monotonic()
    response = post(app.test_client(), config.wechat.token, text_xml("o-slow", "慢查"))
    assert time.monotonic() - started < 0.9
    assert reply_content(response.get_data(as_text=True)) == HOLDING_REPLY
    deadline = time.monotonic() + 5
    while not stand_in.sent and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stand_in.sent == [{"touser": "o-slow", "msgtype": "text", "text": {"content": "查询结果：共 3 位校友"}}]


def test_retry_after_a_holding_reply_gets_the_holding_reply_not_a_second_run(make_app, config, wechat_stand_in):
    _, base_url = wechat_stand_in
    runs = []

    def slow(ctx: Context) -> str:
        runs.append(1)
        time.sleep(0.8)
        return "好了"

    app = make_app(routes=RoutingTable(routes=(keyword("慢查", to=slow),), fallback=_help),
                   wechat={"api_base_url": base_url, "reply_deadline_seconds": 0.5})
    body = text_xml("o-slow2", "慢查", msg_id=777)
    first = reply_content(post(app.test_client(), config.wechat.token, body).get_data(as_text=True))
    second = reply_content(post(app.test_client(), config.wechat.token, body).get_data(as_text=True))
    assert first == second == HOLDING_REPLY
    time.sleep(0.6)
    assert runs == [1]


def test_a_retry_takes_over_the_claim_of_a_worker_that_died_and_handles_the_message_once(
        make_app, config):
    handled = []

    def sign_up(ctx: Context) -> str:
        handled.append(ctx.message.msg_id)
        return "报名成功"

    app = make_app(routes=RoutingTable(routes=(keyword("报名", to=sign_up, takes=NUMBER),),
                                       fallback=_help),
                   wechat={"reply_deadline_seconds": 0.5})
    body = text_xml("o-orphaned", "报名 3", msg_id=6060)
    # What a worker killed mid-request leaves: its claim, and no reply.
    app.extensions["alumni_bot"].dedup.claim("msg:6060")
    started = time.monotonic()
    retry = reply_content(post(app.test_client(), config.wechat.token, body).get_data(as_text=True))
    assert retry == "报名成功" and handled == ["6060"]
    assert time.monotonic() - started < 3.5  # the claim's lease: the deadline + 2 s
    again = reply_content(post(app.test_client(), config.wechat.token, body).get_data(as_text=True))
    assert again == "报名成功" and handled == ["6060"]  # the third try: the stored reply
