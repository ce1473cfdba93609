"""The WeChat API failing 30% of calls — system busy, a final refusal, HTTP 5xx, a connection
dropped before or after the call arrived, an answer slower than the client waits — and delivery still settles every
row: sent, failed with a reason, or uncertain (不确定是否送达); none lost, none left pending, and
nobody shown a message twice.

The stand-in is the sandbox's WeChat API (it dedups a template's client_msg_id as WeChat does)
behind a loopback proxy that injects the faults, with a fixed seed so a failure can be replayed.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import requests
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from models.push import Delivery, DeliveryStatus
from scheduler.delivery import deliver_due
from scheduler.outbox import TemplateContent, queue_push
from tests.loopback import running
from tests.push.support import LiveApp
from wechat_bot.push_sender import build_delivery

CLIENT_TIMEOUT = 0.5
FAULTS = ("busy", "refused", "http_502", "drop_before", "drop_after", "slow_after")
FAULT_RATE = 0.3
FOLLOWERS = 24
FINAL = {DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN}


class FlakyProxy:
    """Forwards to `target`, failing FAULT_RATE of the calls in one of the FAULTS ways."""

    def __init__(self, seed: int = 25) -> None:
        self.target = ""
        self.injected: Counter = Counter()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._http = requests.Session()

    def wsgi(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            fault = self._random.choice(FAULTS) if self._random.random() < FAULT_RATE else None
            self.injected[fault] += 1
        if fault == "busy":
            return Response('{"errcode": -1, "errmsg": "system error"}',
                            content_type="application/json")(environ, start_response)
        if fault == "refused":  # final: the user blocks the account's messages
            return Response('{"errcode": 48002, "errmsg": "api blocked"}',
                            content_type="application/json")(environ, start_response)
        if fault == "http_502":
            return Response("bad gateway", status=502)(environ, start_response)
        if fault == "drop_before":
            return _drop(environ, start_response)
        upstream = self._http.request(request.method, f"{self.target}{request.full_path}",
                                      data=request.get_data(), timeout=10,
                                      headers={"Content-Type": request.content_type or ""})
        if fault == "drop_after":  # it arrived; the answer is lost on the way back
            return _drop(environ, start_response)
        if fault == "slow_after":  # it arrived; the answer comes after the client gave up
            time.sleep(CLIENT_TIMEOUT + 0.3)
        return Response(upstream.content, status=upstream.status_code,
                        content_type=upstream.headers.get("Content-Type"))(environ, start_response)


def _drop(environ, start_response):
    """Cut the connection without an answer."""
    connection = environ["werkzeug.socket"]
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    start_response("500 dropped", [("Content-Length", "0")])
    return [b""]


def _settle(live: LiveApp, sender, limiter, seconds: float = 40) -> list[Delivery]:
    """Run delivery until no row is open any more (retries come after 0.1 s, 0.2 s, …)."""
    give_up = time.monotonic() + seconds
    while True:
        deliver_due(live.runtime.sessions, sender, limiter, now=datetime.now(UTC), worker_id="flaky")
        with live.runtime.sessions() as session:
            rows = list(session.scalars(select(Delivery).order_by(Delivery.id)))
        if all(row.status in FINAL or row.status == DeliveryStatus.UNREACHABLE for row in rows):
            return rows
        assert time.monotonic() < give_up, Counter(row.status for row in rows)
        time.sleep(0.05)


def test_with_thirty_percent_of_wechat_calls_failing_every_delivery_settles_and_none_twice(config):
    proxy = FlakyProxy()
    with running(proxy) as proxy_url:
        live = LiveApp(config, wechat={"api_base_url": f"{proxy_url}/sandbox/api",
                                       "request_timeout_seconds": CLIENT_TIMEOUT},
                       push={"retry_base_seconds": 0.1, "max_attempts": 4,
                             "rate_per_second": 1000.0})
        proxy.target = live.url
        try:
            with live.runtime.sessions.begin() as session:
                users = [live.follower(session, f"校友{i}") for i in range(FOLLOWERS)]
                audience = "openids:" + ",".join(user.openid for user in users)
                now = datetime.now(UTC)
                template = TemplateContent("alumni-sandbox-tpl-notice", {
                    "thing1": "年度大会改期", "thing2": "示例大学校友会", "time3": "2026-12-20 14:00"})
                queue_push(session, text="年度大会改到 12 月 20 日", audience=audience,
                           kind="notification", template=template, now=now)
                queue_push(session, text="您报名的活动座位已确认", audience=audience,
                           kind="notification", now=now)  # no template: customer-service
            sender, limiter = build_delivery(live.runtime)

            rows = _settle(live, sender, limiter)

            assert sum(proxy.injected[f] for f in FAULTS) > 10, proxy.injected
            assert len(rows) == 2 * FOLLOWERS  # none lost
            assert {row.status for row in rows} <= FINAL, Counter(row.status for row in rows)
            for row in rows:
                if row.status == DeliveryStatus.FAILED:
                    assert row.errcode is not None or row.error, row.id  # failed with a reason
            by_user = {user.id: user.openid for user in users}
            for row in rows:
                shown = [entry for entry in live.arrived(by_user[row.wechat_user_id])
                         if entry["channel"] == row.channel]
                assert len(shown) <= 1, (row.id, row.channel, shown)  # never twice
                if row.status == DeliveryStatus.SENT:
                    assert len(shown) == 1, (row.id, row.channel)
            statuses = Counter((row.channel, row.status) for row in rows)
            print(f"faults injected {dict(proxy.injected)}; rows {dict(statuses)}")
        finally:
            live.close()
