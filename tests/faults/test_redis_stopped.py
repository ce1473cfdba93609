"""Redis down, the database up: every message is still answered (200, never WeChat's
"该公众号暂时无法提供服务"), without dedup or dialogs and saying so, and full service returns by
itself when Redis does. A real redis-server of the test's own is killed and restarted: under
`alumni-bot serve` (gunicorn) first, then in-process for the finer cases (a handler that loses
Redis half-way, a Redis that hangs, the log while it is down)."""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from enum import StrEnum

import pytest
from sqlalchemy import func, select

from handlers.context import Context
from handlers.dialog import Dialog, step
from handlers.directory import texts
from models import MessageLog, Privacy, WechatUser
from models.db import make_engine, make_session_factory
from tests.faults.support import Served, app_environment, wait_until
from tests.roster import add_alumnus
from tests.wechat import post, reply_content, say, text_xml
from wechat_bot.conversation.table import RoutingTable, dialog, keyword
from wechat_bot.webhook.answer import DEGRADED_NOTE


@pytest.fixture
def app(make_app, redis_server):
    """The app on the test's own Redis (conftest's `client` and `runtime` follow it)."""
    return make_app(redis={"url": redis_server.url})


def _wait_for_service(client, seconds: float = 15) -> None:
    give_up = time.monotonic() + seconds
    while client.get("/healthz").status_code != 200:
        assert time.monotonic() < give_up, "Redis did not come back"
        time.sleep(0.1)


def _logged(runtime, **where) -> int:
    with runtime.sessions() as session:
        query = select(func.count()).select_from(MessageLog)
        for column, value in where.items():
            query = query.where(getattr(MessageLog, column) == value)
        return session.scalar(query)


def _count_logged(database_url: str, **where) -> int:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            query = select(func.count()).select_from(MessageLog).filter_by(**where)
            return session.scalar(query)
    finally:
        engine.dispose()


def test_a_served_instance_answers_every_message_with_redis_stopped_and_recovers_without_restart(
        config, redis_server, tmp_path):
    engine = make_engine(config.database.url)
    with make_session_factory(engine).begin() as session:
        add_alumnus(session, "2010010001", "赵敏", 2010)
        add_alumnus(session, "2012010102", "王磊", 2012, privacy=Privacy.PUBLIC.value)
    engine.dispose()
    served = Served(app_environment(config.database.url, redis_server.url,
                                    f"f{uuid.uuid4().hex[:10]}:"), tmp_path)
    try:
        def say_to(openid: str, text: str, msg_id: int | None = None) -> str:
            response = served.post(text_xml(openid, text, msg_id=msg_id))
            assert response.status_code == 200, response.text
            return reply_content(response.text)

        assert say_to("o-served", "绑定 赵敏 2010010001").startswith("绑定成功")

        redis_server.kill()

        for text, expected in (("帮助", "可用指令"), ("查找 王磊", "王磊"), ("我的", ""),
                               ("绑定", ""), ("随便说一句", "")):
            reply = say_to("o-served", text)
            assert expected in reply and DEGRADED_NOTE in reply, (text, reply)
        assert served.get("/healthz").status_code == 503

        redis_server.start()
        wait_until(lambda: served.get("/healthz").status_code == 200, 15, "healthz back to 200")

        reply = say_to("o-served", "帮助")
        assert "可用指令" in reply and DEGRADED_NOTE not in reply
        assert say_to("o-new", "绑定") == texts.BIND_ASK_NAME
        assert say_to("o-new", "王磊") == texts.BIND_ASK_STUDENT_ID  # dialogs work again
        first, retry = say_to("o-retry", "帮助", 515151), say_to("o-retry", "帮助", 515151)
        assert first == retry
        wait_until(lambda: _count_logged(config.database.url, msg_id="515151"), 10,
                   "the retried message logged")
        time.sleep(1.2)  # one more round of the message-log flusher
        assert _count_logged(config.database.url, msg_id="515151") == 1  # handled once
    finally:
        served.stop()


def test_with_redis_killed_messages_are_answered_degraded_and_full_service_returns(
        client, config, runtime, redis_server):
    token = config.wechat.token
    with runtime.sessions.begin() as session:
        add_alumnus(session, "2010010001", "赵敏", 2010)
        add_alumnus(session, "2012010102", "王磊", 2012, privacy=Privacy.PUBLIC.value)
    assert say(client, token, "o-me", "绑定 赵敏 2010010001").startswith("绑定成功")
    assert say(client, token, "o-new", "绑定") == texts.BIND_ASK_NAME  # a dialog under way

    redis_server.kill()

    # The answer to the dialog's question cannot be taken as the name: no dialog state without Redis.
    reply = say(client, token, "o-new", "王磊")
    assert DEGRADED_NOTE in reply and texts.BIND_ASK_STUDENT_ID not in reply
    reply = say(client, token, "o-plain", "帮助")
    assert "可用指令" in reply and reply.endswith(DEGRADED_NOTE)
    reply = say(client, token, "o-me", "查找 王磊")  # a search still answers its first page
    assert "王磊" in reply and "2012" in reply and DEGRADED_NOTE in reply
    assert say(client, token, "o-me", "下一页").startswith(texts.NEXT_UNAVAILABLE)
    # Binding's lockout lives in Redis: no uncounted guessing while it is down.
    assert say(client, token, "o-guess", "绑定 王磊 2012010102").startswith(texts.BIND_UNAVAILABLE)
    assert client.get("/healthz").status_code == 503
    # The handlers ran against the database, and the message log went straight there.
    assert _logged(runtime, openid="o-plain") == 1
    with runtime.sessions() as session:
        assert session.scalar(select(WechatUser.id).where(WechatUser.openid == "o-guess")) is not None

    redis_server.start()
    _wait_for_service(client)

    reply = say(client, token, "o-plain", "帮助")
    assert "可用指令" in reply and DEGRADED_NOTE not in reply
    assert say(client, token, "o-new", "绑定") == texts.BIND_ASK_NAME
    assert say(client, token, "o-new", "王磊") == texts.BIND_ASK_STUDENT_ID  # dialogs work again
    retry = text_xml("o-retry", "帮助", msg_id=424242)
    first, again = post(client, token, retry), post(client, token, retry)
    assert first.status_code == again.status_code == 200
    assert first.get_data() == again.get_data()
    runtime.inbox.flush()
    assert _logged(runtime, msg_id="424242") == 1  # handled once: dedup works again


def test_redis_dying_while_a_handler_runs_still_answers_and_keeps_its_work(make_app, config, redis_server):
    def note_and_ask(ctx: Context) -> str:
        ctx.user.subscribed = True  # database work the handler commits
        ctx.dialog.start(survey, SurveyStep.ANSWER)
        redis_server.kill()
        return "已记下，请回答下一个问题。"

    class SurveyStep(StrEnum):
        ANSWER = "answer"

    survey = Dialog("survey", {SurveyStep.ANSWER: step(lambda ctx: "谢谢")})
    table = RoutingTable(routes=(dialog(survey, keyword("调查", to=note_and_ask)),),
                         fallback=lambda ctx: "没有听懂")
    app = make_app(routes=table, redis={"url": redis_server.url})
    response = post(app.test_client(), config.wechat.token, text_xml("o-survey", "调查"))
    assert response.status_code == 200
    reply = reply_content(response.get_data(as_text=True))
    assert reply.startswith("已记下") and reply.endswith(DEGRADED_NOTE)
    runtime = app.extensions["alumni_bot"]
    with runtime.sessions() as session:
        assert session.scalar(select(WechatUser.id).where(WechatUser.openid == "o-survey")) is not None
    assert _logged(runtime, openid="o-survey") == 1


class SilentRedis:
    """A port that accepts connections and never answers: a Redis that hangs."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(128)
        self.url = f"redis://127.0.0.1:{self.socket.getsockname()[1]}/0"
        self.held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.socket.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.socket.close()
        for held in self.held:
            held.close()


def test_a_hung_redis_costs_one_message_a_timeout_not_every_message(make_app, config):
    silent = SilentRedis()
    try:
        client = make_app(redis={"url": silent.url}).test_client()
        took = []
        for i in range(6):
            started = time.monotonic()
            reply = say(client, config.wechat.token, f"o-hung{i}", "帮助")
            took.append(time.monotonic() - started)
            assert "可用指令" in reply and DEGRADED_NOTE in reply
        assert took[0] < 4.5  # within WeChat's 5 seconds even when Redis swallows the request
        # After that the breaker answers at once; at most one more message probes Redis meanwhile.
        assert sorted(took[1:])[-2] < 0.5, took
    finally:
        silent.close()


def test_an_outage_is_logged_once_not_every_second(client, config, runtime, redis_server, caplog):
    say(client, config.wechat.token, "o-before", "帮助")  # starts the background writers
    redis_server.kill()
    with caplog.at_level(logging.INFO):
        for i in range(8):
            say(client, config.wechat.token, f"o-during{i}", "帮助")
            time.sleep(0.4)
    tracebacks = [r for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR]
    assert len(tracebacks) <= 2, [r.getMessage() for r in tracebacks]  # write-behind and message log
    assert _logged(runtime, openid="o-during7") == 1


def test_a_slow_handler_with_redis_down_still_queues_its_late_answer(make_app, config, redis_server):
    from models.push import Push
    from wechat_bot.webhook.deadline import HOLDING_REPLY

    def slow(ctx: Context) -> str:
        time.sleep(1.5)
        return "查到了：慢慢来的答案"

    table = RoutingTable(routes=(keyword("慢", to=slow),), fallback=lambda ctx: "没有听懂")
    app = make_app(routes=table, redis={"url": redis_server.url}, wechat={"reply_deadline_seconds": 0.5})
    redis_server.kill()
    response = post(app.test_client(), config.wechat.token, text_xml("o-slow", "慢"))
    assert response.status_code == 200
    assert reply_content(response.get_data(as_text=True)) == f"{HOLDING_REPLY}\n\n{DEGRADED_NOTE}"
    runtime = app.extensions["alumni_bot"]
    runtime.deadline.shutdown()  # the late handler and its finishing step are done
    with runtime.sessions() as session:  # the answer waits in the outbox for the scheduler
        assert session.scalars(select(Push.text).where(Push.kind == "reply")).all() == ["查到了：慢慢来的答案"]
    assert _logged(runtime, openid="o-slow") == 1
