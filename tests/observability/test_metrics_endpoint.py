"""`/metrics` as Prometheus reads it: what the webhook, the deadline and delivery counted, the
outbox's depth; and who may read it (addresses, a trusted proxy's X-Forwarded-For, the token)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from handlers.context import Context
from models import Privacy, WechatUser
from scheduler.outbox import queue_push
from tests.observability.conftest import samples, scrape, wait_until
from tests.roster import add_alumnus
from tests.wechat import post, reply_content, say, text_xml
from wechat_bot.conversation.router import handler_name
from wechat_bot.conversation.table import RoutingTable, keyword
from wechat_bot.webhook.deadline import HOLDING_REPLY

TOKEN = "metrics-token-0123456789abcdef"


def _help(ctx: Context) -> str:
    return "帮助内容"


def _slow(ctx: Context) -> str:
    time.sleep(0.8)
    return "慢慢查到了"


def _delta(before: dict, after: dict, name: str, **labels) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_metrics_show_webhook_answers_fallbacks_a_delivery_and_the_outbox(make_app, config,
                                                                          wechat_stand_in):
    stand_in, base_url = wechat_stand_in
    app = make_app(routes=RoutingTable(routes=(keyword("帮助", to=_help), keyword("慢查", to=_slow)),
                                       fallback=_help),
                   wechat={"api_base_url": base_url, "reply_deadline_seconds": 0.5})
    client = app.test_client()
    before = scrape(client)
    for openid in ("o-m1", "o-m2", "o-m3"):
        assert say(client, config.wechat.token, openid, "帮助") == "帮助内容"
    retried = text_xml("o-m1", "帮助", msg_id=4242)
    for _ in range(2):  # WeChat's retry gets the stored reply
        assert reply_content(post(client, config.wechat.token, retried).get_data(as_text=True))
    assert say(client, config.wechat.token, "o-m4", "慢查") == HOLDING_REPLY
    assert wait_until(lambda: _delta(before, scrape(client), "alumni_bot_deadline_fallbacks_total",
                                     outcome="late_sent") == 1)
    assert stand_in.sent[-1]["text"]["content"] == "慢慢查到了"
    runtime = app.extensions["alumni_bot"]
    now = datetime.now(UTC)
    with runtime.sessions.begin() as session:  # a reminder due tomorrow waits in the outbox
        user = session.scalar(select(WechatUser).where(WechatUser.openid == "o-m4"))  # made by the late answer
        queue_push(session, text="明天见", audience=f"users:{user.id}", kind="reminder",
                   at=now + timedelta(days=1), now=now)

    after = scrape(client)
    help_route, slow_route = handler_name(_help), handler_name(_slow)
    seconds = "alumni_bot_webhook_seconds"
    assert _delta(before, after, f"{seconds}_count", kind="text", route=help_route) == 4
    assert _delta(before, after, f"{seconds}_bucket", kind="text", route=help_route, le="+Inf") == 4
    assert _delta(before, after, f"{seconds}_count", kind="text", route="(retry)") == 1
    assert _delta(before, after, f"{seconds}_count", kind="text", route=slow_route) == 1
    replies = "alumni_bot_webhook_replies_total"
    assert _delta(before, after, replies, route=help_route, reply="text") == 4
    assert _delta(before, after, replies, route="(retry)", reply="stored") == 1
    assert _delta(before, after, replies, route=slow_route, reply="holding") == 1
    assert _delta(before, after, "alumni_bot_deadline_fallbacks_total", outcome="holding_reply") == 1
    assert _delta(before, after, "alumni_bot_deliveries_total", result="sent",
                  errcode_class="none") == 1
    assert after[("alumni_bot_outbox_rows", (("state", "pending"),))] == 1
    assert after[("alumni_bot_outbox_rows", (("state", "sending"),))] == 0
    assert after[("alumni_bot_outbox_oldest_due_seconds", ())] == 0  # not due before tomorrow


def test_metrics_are_for_allowed_addresses_a_trusted_proxys_clients_or_the_token(make_app):
    app = make_app(metrics={"allow": ["10.0.0.0/8"], "token": TOKEN,
                            "trusted_proxies": ["127.0.0.1/32"]})
    client = app.test_client()

    def status(peer: str, forwarded: str | None = None, token: str | None = None) -> int:
        headers = {}
        if forwarded is not None:
            headers["X-Forwarded-For"] = forwarded
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = client.get("/metrics", environ_base={"REMOTE_ADDR": peer}, headers=headers)
        if response.status_code != 200:
            assert b"alumni_bot" not in response.data  # a refusal shows nothing of the metrics
        return response.status_code

    assert status("10.1.2.3") == 200                           # an allowed address
    assert status("203.0.113.9") == 404                        # anyone else: no such page
    assert status("127.0.0.1", forwarded="10.1.2.3") == 200    # through nginx, from inside
    assert status("127.0.0.1", forwarded="203.0.113.9") == 404  # through nginx, from outside
    assert status("127.0.0.1", forwarded="10.9.9.9, 203.0.113.9") == 404  # a forged first hop
    assert status("203.0.113.9", forwarded="10.1.2.3") == 404  # only our proxy is believed
    assert status("127.0.0.1") == 404                          # nginx itself is not allowed
    assert status("203.0.113.9", token=TOKEN) == 200           # the scraper's token
    assert status("203.0.113.9", token=TOKEN[:-1] + "x") == 404
    assert "X-Request-ID" in client.get("/metrics").headers


def test_no_metrics_page_when_metrics_are_disabled(make_app):
    client = make_app(metrics={"enabled": False}).test_client()
    assert client.get("/metrics").status_code == 404


def test_the_scrape_text_parses_and_names_every_documented_metric(client):
    text = client.get("/metrics").get_data(as_text=True)
    names = {name for name, _ in samples(text)}
    for documented in ("alumni_bot_outbox_rows", "alumni_bot_outbox_oldest_due_seconds"):
        assert documented in names
    for family in ("alumni_bot_webhook_seconds", "alumni_bot_webhook_replies",
                   "alumni_bot_deadline_fallbacks", "alumni_bot_search_seconds",
                   "alumni_bot_deliveries", "alumni_bot_scheduler_leader"):
        assert f"# HELP {family}" in text


def test_a_search_through_the_bot_is_timed_as_the_bots_search(client, config, runtime):
    with runtime.sessions.begin() as session:
        add_alumnus(session, "2010010001", "赵敏", 2010)
        add_alumnus(session, "2010010002", "王磊", 2010, privacy=Privacy.PUBLIC.value)
    assert say(client, config.wechat.token, "o-search", "绑定 赵敏 2010010001").startswith("绑定成功")
    before = scrape(client)
    assert "王磊" in say(client, config.wechat.token, "o-search", "查找 王磊")
    after = scrape(client)
    assert _delta(before, after, "alumni_bot_search_seconds_count", door="bot") == 1
    assert _delta(before, after, "alumni_bot_search_seconds_count", door="api") == 0
