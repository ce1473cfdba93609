"""One Redis round trip per message: the hot-path connection and the writes that wait for the next."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, func, select

from handlers.context import Context
from models import MessageLog
from tests.conftest import TEST_REDIS_URL
from tests.wechat import post, reply_content, text_xml
from wechat_bot.conversation.table import NUMBER, RoutingTable, keyword
from wechat_bot.server import _close_runtime
from wechat_bot.store import CommandBatch, RoundTrips
from wechat_bot.webhook.writebehind import WriteBehind


def _batch(*calls) -> CommandBatch:
    batch = CommandBatch()
    for name, *args in calls:
        getattr(batch, name)(*args)
    return batch


def test_a_round_trip_answers_each_command_in_order_with_an_error_in_its_place(runtime):
    key = runtime.keys("rt")
    runtime.store.set(key + ":str", "x")
    lanes = RoundTrips(runtime.store)
    batch = _batch(("set", key + ":a", "1", 60, True), ("set", key + ":a", "2", 60, True),
                   ("rpush", key + ":str", "y"), ("get", key + ":a"), ("get", key + ":none"))
    first, again, wrong_type, value, missing = lanes.execute(batch.commands)
    assert (first, again, value, missing) == ("OK", None, "1", None)
    assert "WRONGTYPE" in str(wrong_type)
    # the error did not leave an answer behind for the next batch on this connection
    assert lanes.execute(_batch(("get", key + ":a")).commands) == ["1"]


@pytest.mark.skipif(not TEST_REDIS_URL, reason="needs a real Redis to close a connection")
def test_a_connection_redis_closed_is_opened_again_for_the_next_batch(runtime):
    lanes = RoundTrips(runtime.store)
    [connection_id] = lanes.execute([("CLIENT", "ID")])
    runtime.store.execute_command("CLIENT", "KILL", "ID", connection_id)
    assert lanes.execute([("PING",)]) == ["PONG"]


def test_waiting_writes_ride_in_front_of_the_next_round_trip(runtime):
    key = runtime.keys("wb")
    writes = WriteBehind(RoundTrips(runtime.store), delay=30)  # the timer never gets there
    writes.set(key + ":reply", "<xml/>", 60)
    writes.rpush(key + ":log", "line")
    assert runtime.store.get(key + ":reply") is None
    assert writes.send_with(_batch(("get", key + ":reply"))) == ["<xml/>"]
    assert runtime.store.lrange(key + ":log", 0, -1) == ["line"]
    writes.close()


def test_waiting_writes_are_sent_by_the_timer_when_no_message_follows(runtime):
    key = runtime.keys("wb-timer")
    writes = WriteBehind(RoundTrips(runtime.store), delay=0.05)
    writes.set(key, "stored", 60)
    deadline = time.monotonic() + 2
    while runtime.store.get(key) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runtime.store.get(key) == "stored"
    writes.close()


def test_closing_sends_what_waits(runtime):
    key = runtime.keys("wb-close")
    writes = WriteBehind(RoundTrips(runtime.store), delay=30)
    writes.set(key, "stored", 60)
    writes.close()
    assert runtime.store.get(key) == "stored"


def test_a_failed_round_trip_keeps_the_waiting_writes_for_the_next(runtime):
    key = runtime.keys("wb-fail")
    writes = WriteBehind(RoundTrips(runtime.store), delay=30)
    writes.set(key, "kept", 60)
    with pytest.raises(TypeError):
        writes.send_with(_batch(("get", object())))  # a value Redis cannot be sent
    writes.flush()
    assert runtime.store.get(key) == "kept"
    writes.close()


def _help(ctx: Context) -> str:
    return "帮助"


def test_a_retry_reaching_another_worker_gets_the_first_reply_once_it_is_stored(make_app, config):
    handled = []

    def sign_up(ctx: Context) -> str:
        handled.append(ctx.message.msg_id)
        return "报名成功"

    table = RoutingTable(routes=(keyword("报名", to=sign_up, takes=NUMBER),), fallback=_help)
    first_worker, second_worker = make_app(routes=table), make_app(routes=table)  # one shared store
    body = text_xml("o-two-workers", "报名 1", msg_id=9090)
    first = reply_content(post(first_worker.test_client(), config.wechat.token, body).get_data(as_text=True))
    retry = reply_content(post(second_worker.test_client(), config.wechat.token, body).get_data(as_text=True))
    assert first == retry == "报名成功"
    assert handled == ["9090"]


def test_a_stopping_worker_writes_the_log_lines_still_in_memory(app, config, runtime):
    post(app.test_client(), config.wechat.token, text_xml("o-stopping", "帮助"))

    class Worker:
        wsgi = app

    _close_runtime(None, Worker())
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MessageLog)) == 1


def test_help_answers_in_the_request_thread_without_a_database_connection(make_app, config):
    threads = []

    def instant(ctx: Context) -> str:
        threads.append(threading.current_thread().name)
        return "帮助"

    def looks_up(ctx: Context) -> str:
        threads.append(threading.current_thread().name)
        return ctx.user.openid

    app = make_app(routes=RoutingTable(routes=(keyword("帮助", to=instant), keyword("我", to=looks_up)),
                                       fallback=_help, instant=frozenset({instant})))
    checkouts = []
    event.listen(app.extensions["alumni_bot"].engine, "checkout", lambda *_: checkouts.append(1))
    client = app.test_client()
    assert reply_content(post(client, config.wechat.token, text_xml("o-inline", "帮助")).get_data(as_text=True)) == "帮助"
    assert checkouts == []
    assert reply_content(post(client, config.wechat.token, text_xml("o-inline", "我")).get_data(as_text=True)) == "o-inline"
    assert len(checkouts) == 1
    assert threads[0] == threading.current_thread().name
    assert threads[1].startswith("handler")
