"""One request, one id: echoed to nginx, in every JSON log line the request causes (its handler's,
the deadline thread's, the late answer's) and in the delivery log of the push it queued."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from handlers.context import Context
from models.push import Push
from scheduler.delivery import deliver_due
from tests.observability.conftest import wait_until
from tests.wechat import post, reply_content, signed_query, text_xml
from wechat_bot.conversation.table import RoutingTable, keyword
from wechat_bot.webhook.deadline import HOLDING_REPLY

handler_log = logging.getLogger("handlers.observed")
NGINX_ID = "5f0c3a9e8d7b4c21a0e9f8d7c6b5a493"  # nginx's $request_id: 32 hex digits


def _logs_and_answers(ctx: Context) -> str:
    handler_log.info("查询 %s", ctx.message.from_user)
    return "查到了"


def _help(ctx: Context) -> str:
    return "帮助"


def test_every_response_echoes_its_request_id_keeping_a_well_formed_one_from_nginx(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz").headers["X-Request-ID"] != made  # one per request
    kept = client.get("/healthz", headers={"X-Request-ID": NGINX_ID})
    assert kept.headers["X-Request-ID"] == NGINX_ID
    for forged in ('a"b c', "x" * 200, "short", "id;drop table"):
        replaced = client.get("/api/v1/nothing-here", headers={"X-Request-ID": forged})
        assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-ID"]), forged


def test_a_handlers_log_lines_carry_the_request_id_nginx_sent(make_app, config, json_log):
    app = make_app(routes=RoutingTable(routes=(keyword("查", to=_logs_and_answers),), fallback=_help))
    response = app.test_client().post(
        "/wechat", query_string=signed_query(config.wechat.token), data=text_xml("o-logs", "查"),
        content_type="text/xml", headers={"X-Request-ID": NGINX_ID})
    assert reply_content(response.get_data(as_text=True)) == "查到了"
    assert response.headers["X-Request-ID"] == NGINX_ID
    [line] = json_log.with_message("查询 o-logs")
    assert line["request_id"] == NGINX_ID
    assert line["logger"] == "handlers.observed" and line["level"] == "INFO"
    assert {"time", "process", "thread"} <= line.keys()


def test_a_handler_past_the_deadline_logs_and_delivers_under_its_request_id(
        make_app, config, json_log, busy_once_wechat):
    stand_in, base_url = busy_once_wechat

    def slow(ctx: Context) -> str:
        time.sleep(0.8)
        handler_log.info("慢查询完成 %s", ctx.message.from_user)
        return "查询结果：共 3 位校友"

    app = make_app(routes=RoutingTable(routes=(keyword("慢查", to=slow),), fallback=_help),
                   wechat={"api_base_url": base_url, "reply_deadline_seconds": 0.5})
    runtime = app.extensions["alumni_bot"]
    response = post(app.test_client(), config.wechat.token, text_xml("o-late", "慢查"))
    assert reply_content(response.get_data(as_text=True)) == HOLDING_REPLY
    request_id = response.headers["X-Request-ID"]
    # The handler's own line comes from the deadline thread; the late answer is queued there
    # too, and its first send meets "system busy" (-1), so it waits for the scheduler.
    assert wait_until(lambda: json_log.with_message("：retried"))
    assert json_log.with_message("慢查询完成 o-late")[0]["request_id"] == request_id
    assert json_log.with_message("迟到的回答已排入推送")[0]["request_id"] == request_id
    with runtime.sessions() as session:
        push = session.scalars(select(Push)).one()
        assert push.request_id == request_id
    # The scheduler's delivery, in no request of its own, later sends it and says so under the
    # id of the request that caused it.
    sender, limiter = runtime.delivery
    stats = deliver_due(runtime.sessions, sender, limiter, worker_id="scheduler-test",
                        now=datetime.now(UTC) + timedelta(minutes=5))
    assert stats.sent == 1
    assert stand_in.sent[-1]["text"]["content"] == "查询结果：共 3 位校友"
    [sent] = [line for line in json_log.with_message(f"（推送 {push.id}）：sent")]
    assert sent["request_id"] == request_id and sent["logger"] == "scheduler.delivery"
    assert sent["thread"] != json_log.with_message("慢查询完成")[0]["thread"]
