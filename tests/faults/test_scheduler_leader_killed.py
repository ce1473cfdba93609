"""The scheduler leader killed (SIGKILL) in the middle of a push: another `alumni-bot scheduler`
process leads within a minute (here, with a 1.5 s lease, within seconds), the push finishes, and
nobody is sent anything twice.

Two real scheduler processes share the test's database and a redis-server of the test's own; the
WeChat API is a loopback stand-in that counts customer-service sends by openid (the channel with
no idempotency key, so a second send would show twice).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models.db import make_engine, make_session_factory
from models.push import Delivery, DeliveryStatus
from scheduler.outbox import queue_push
from tests.faults.support import Child, app_environment, wait_until
from tests.loopback import LoopbackWeChat, running
from tests.push.support import add_user

FOLLOWERS = 60
RATE = 25  # sends a second: the push takes a few seconds, time enough to kill its sender
LEASE, RENEW = 1.5, 0.3
APP_ID, APP_SECRET = "wxfaulttest000001", "fault-test-app-secret"


class CountingWeChat(LoopbackWeChat):
    """The loopback API, a little slow per send, as WeChat is."""

    def wsgi(self, environ, start_response):
        if environ.get("PATH_INFO") == "/cgi-bin/message/custom/send":
            threading.Event().wait(0.01)
        return super().wsgi(environ, start_response)

    def sends(self) -> Counter:
        with self._lock:
            return Counter(message["touser"] for message in self.sent)


def _rows(sessions) -> list[Delivery]:
    with sessions() as session:
        return list(session.scalars(select(Delivery)))


def test_a_follower_leads_after_the_leader_is_killed_mid_push_and_nobody_gets_it_twice(
        config, redis_server, tmp_path):
    engine = make_engine(config.database.url)
    sessions = make_session_factory(engine)
    stand_in = CountingWeChat(APP_ID, APP_SECRET)
    prefix = f"f{uuid.uuid4().hex[:10]}:"
    store = redis_server.client()
    schedulers: dict[int, Child] = {}
    try:
        with running(stand_in) as api_url:
            env = app_environment(
                config.database.url, redis_server.url, prefix,
                WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET=APP_SECRET, WECHAT_API_BASE_URL=api_url,
                WECHAT_REQUEST_TIMEOUT_SECONDS="1", PUSH_RATE_PER_SECOND=str(RATE),
                PUSH_LEASE_SECONDS="2", SCHEDULER_LEADER_LEASE_SECONDS=str(LEASE),
                SCHEDULER_LEADER_RENEW_SECONDS=str(RENEW),
                SCHEDULER_DELIVERY_INTERVAL_SECONDS="0.2", SCHEDULER_DELIVERY_THREADS="1")
            for name in ("scheduler-1", "scheduler-2"):
                child = Child(["scheduler"], env, tmp_path, name)
                schedulers[child.pid] = child
            leader_key = f"{prefix}scheduler:leader"
            leader = wait_until(lambda: all(c.running() for c in schedulers.values())
                                and _holder(store, leader_key), 60, "a scheduler leading")
            assert leader in schedulers, (leader, list(schedulers))

            now = datetime.now(UTC)
            with sessions.begin() as session:
                users = {user.id: user.openid for user in (
                    add_user(session, f"o-fault-{i}", messaged=timedelta(minutes=5), now=now)
                    for i in range(FOLLOWERS))}
                queue_push(session, text="年度大会改到 12 月 20 日，地点不变。",
                           audience="openids:" + ",".join(users.values()), kind="notification",
                           now=now)

            wait_until(lambda: sum(stand_in.sends().values()) >= FOLLOWERS // 5, 30,
                       "the push under way")
            killed_at = time.monotonic()
            schedulers[leader].kill_process(leader)
            follower = wait_until(lambda: _holder(store, leader_key) not in (None, leader)
                                  and _holder(store, leader_key), 60, "another scheduler leading")
            took = time.monotonic() - killed_at
            rows = wait_until(lambda: _settled(_rows(sessions)), 60, "every row settled")

        assert follower in schedulers and follower != leader
        assert took < 60, took
        sends = stand_in.sends()
        assert max(sends.values()) == 1, [o for o, n in sends.items() if n > 1]  # nobody twice
        statuses = Counter(row.status for row in rows)
        assert len(rows) == FOLLOWERS and set(statuses) <= {DeliveryStatus.SENT,
                                                             DeliveryStatus.UNKNOWN}, statuses
        # Only the row in flight when the leader died is uncertain (it may or may not have
        # arrived: never resent); every other row was sent, and arrived once.
        assert statuses[DeliveryStatus.UNKNOWN] <= 1, statuses
        for row in rows:
            if row.status == DeliveryStatus.SENT:
                assert sends[users[row.wechat_user_id]] == 1, row.id
        print(f"new leader after {took:.1f} s; rows {dict(statuses)}; sends {sum(sends.values())}")
    finally:
        for child in schedulers.values():
            child.stop()
        store.close()
        engine.dispose()


def _holder(store, key: str) -> int | None:
    holder = store.get(key)
    return int(holder.decode().split(":")[1]) if holder else None


def _settled(rows: list[Delivery]) -> list[Delivery] | None:
    done = rows and all(row.status in (DeliveryStatus.SENT, DeliveryStatus.UNKNOWN,
                                       DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE)
                        for row in rows)
    return rows if done else None
