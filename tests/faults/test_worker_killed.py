"""A web worker killed (SIGKILL) while its handler runs: WeChat's retry of the same MsgId, sent
to the other instance, is handled once — one binding, one message-log line, and a reply.

Two `alumni-bot serve` instances share the test's database and a redis-server of the test's own.
The test holds a write lock on the roster, so the first worker's handler stops half-way (it has
read, it waits to write); then that worker is killed and the lock let go.
"""

from __future__ import annotations

import threading
import time
import uuid

import requests
from sqlalchemy import func, select, text

from models import Alumnus, MessageLog, WechatUser
from models.db import make_engine, make_session_factory
from tests.faults.support import Served, app_environment, wait_until
from tests.roster import add_alumnus
from tests.wechat import reply_content, text_xml

MSG_ID = 8_123_456_789


class RosterLock:
    """A write lock on the roster held by the test: writers wait, readers do not."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.connection = self.engine.connect()
        if self.engine.dialect.name == "postgresql":
            self.connection.execute(text("LOCK TABLE alumnus IN EXCLUSIVE MODE"))
        else:  # SQLite: one writer at a time; the handler's write waits its busy_timeout
            self.connection.exec_driver_sql("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()
        self.engine.dispose()


def _state(url: str) -> tuple[int, str | None]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            logged = session.scalar(select(func.count()).select_from(MessageLog)
                                    .where(MessageLog.msg_id == str(MSG_ID)))
            bound_to = session.scalar(select(WechatUser.openid).join(
                Alumnus, Alumnus.wechat_user_id == WechatUser.id)
                .where(Alumnus.student_id == "2010010001"))
            return logged, bound_to
    finally:
        engine.dispose()


def test_a_retry_to_the_other_instance_after_a_worker_is_killed_mid_request_is_handled_once(
        config, redis_server, tmp_path):
    url = config.database.url
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        add_alumnus(session, "2010010001", "赵敏", 2010)
    engine.dispose()
    env = app_environment(url, redis_server.url, f"f{uuid.uuid4().hex[:10]}:")
    first, other = Served(env, tmp_path, "first", wait=False), Served(env, tmp_path, "other", wait=False)
    lock = None
    try:
        first.wait_ready()
        other.wait_ready()
        message = text_xml("o-killed", "绑定 赵敏 2010010001", msg_id=MSG_ID)
        lock = RosterLock(url)
        cut_off = {}

        def deliver_first() -> None:
            try:
                first.post(message, timeout=15)
            except requests.RequestException as exc:
                cut_off["error"] = exc

        attempt = threading.Thread(target=deliver_first)
        attempt.start()
        time.sleep(1.5)  # well inside the 4 s deadline: the handler waits for the lock
        workers = first.worker_pids()
        assert workers, first.output()
        for pid in workers:
            first.kill_process(pid)
        attempt.join(15)
        assert "error" in cut_off  # WeChat saw no answer: it retries
        lock.release()
        lock = None

        retry = other.post(message, timeout=15)  # the claim runs out; this retry takes it over
        assert retry.status_code == 200
        assert reply_content(retry.text).startswith("绑定成功"), retry.text
        again = other.post(message, timeout=15)  # WeChat's third try: the stored reply
        assert reply_content(again.text) == reply_content(retry.text)

        wait_until(lambda: _state(url)[0], 10, "the message logged")
        time.sleep(1.2)  # one more round of the message-log flushers
        assert _state(url) == (1, "o-killed")
    finally:
        if lock is not None:
            lock.release()
        first.stop()
        other.stop()
