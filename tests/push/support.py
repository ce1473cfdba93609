"""Helpers for the tests in tests/push/ (constants, builders, stand-ins); the fixtures that use
them are in conftest.py."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

from werkzeug.serving import make_server

import models.push  # noqa: F401  (the outbox tables, so every test's truncation includes them)
from models.alumnus import Alumnus
from models.wechat_user import WechatUser
from scheduler.sender import DeliveryPolicy, Outgoing, SendResult, TemplateSpec
from wechat_bot import create_app

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


NOTICE = TemplateSpec("alumni-sandbox-tpl-notice",
                      (("thing1", "{text}"), ("thing2", "{account}"), ("time3", "{time}")))


SUB_REMINDER = TemplateSpec("alumni-sandbox-sub-event-reminder",
                            (("thing1", "{text}"), ("time2", "{time}"), ("thing3", "{account}")))


_numbers = itertools.count(1)


def add_user(session, openid: str | None = "auto", *, subscribed: bool = True,
             messaged: timedelta | None = None, clicked: timedelta | None = None,
             mp_openid: str | None = None, now: datetime = NOW) -> WechatUser:
    """A user; `messaged`/`clicked` = how long ago they last wrote / tapped the menu."""
    number = next(_numbers)
    user = WechatUser(openid=f"o-test-{number}" if openid == "auto" else openid,
                      miniprogram_openid=mp_openid, subscribed=subscribed, created_at=now)
    if messaged is not None:
        user.record_interaction(now - messaged, is_message=True)
    if clicked is not None:
        user.record_interaction(now - clicked, is_message=False)
    session.add(user)
    session.flush()
    return user


def bind(session, user: WechatUser, year: int) -> Alumnus:
    number = next(_numbers)
    alumnus = Alumnus(student_id=f"S{number:08d}", name=f"校友{number}", graduation_year=year,
                      name_key=f"校友{number}", search_pinyin="xiaoyou", search_initials="xy",
                      imported_at=NOW, wechat_user_id=user.id, bound_at=NOW)
    session.add(alumnus)
    session.flush()
    return alumnus


def policy(**changes) -> DeliveryPolicy:
    values = {"max_attempts": 5, "retry_base_seconds": 30, "lease_seconds": 120, "template": NOTICE,
                  "account_name": "示例大学校友会", "school_name": "示例大学"}
    values.update(changes)
    return DeliveryPolicy(**values)


class FakeSender:
    """Answers from a script per address (a list, used up in order), else `default`."""

    def __init__(self, delivery_policy: DeliveryPolicy | None = None, default=None) -> None:
        self.policy = delivery_policy or policy()
        self.default = default or SendResult.sent("1")
        self.script: dict[str | None, list] = {}
        self.sent: list[Outgoing] = []
        self.during_send = None
        self._lock = threading.Lock()

    def answer(self, address: str | None, *results: SendResult) -> None:
        self.script.setdefault(address, []).extend(results)

    def send(self, message: Outgoing) -> SendResult:
        with self._lock:
            self.sent.append(message)
            queue = self.script.get(message.address)
            result = queue.pop(0) if queue else self.default
        if self.during_send:
            self.during_send(message)
        return result

    def to(self, address: str) -> list[Outgoing]:
        return [m for m in self.sent if m.address == address]


class FakeLimiter:
    rate = None

    def __init__(self) -> None:
        self.acquired = 0
        self.paused: dict[str, datetime] = {}

    def acquire(self, on_wait=None) -> float:
        self.acquired += 1
        return 0.0

    def pause(self, channel: str, until: datetime, now: datetime) -> None:
        self.paused[channel] = until

    def paused_until(self, channel: str) -> datetime | None:
        return self.paused.get(channel)


class LiveApp:
    """The app with the sandbox on a threaded werkzeug server; the WeChat client points at it."""

    def __init__(self, config, **sections) -> None:
        holder = {}
        self.server = make_server("127.0.0.1", 0, lambda e, s: holder["app"](e, s), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        wechat = {"api_base_url": f"{self.url}/sandbox/api", **sections.pop("wechat", {})}
        self.config = config.replace(sandbox={"enabled": True}, app={"base_url": self.url},
                                     wechat=wechat, **sections)
        self.app = create_app(self.config)
        holder["app"] = self.app
        self.runtime = self.app.extensions["alumni_bot"]
        self.sandbox = self.app.extensions["sandbox"]
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    def follower(self, session, name: str = "校友", *, window: bool = True,
                 now: datetime | None = None) -> WechatUser:
        """A sandbox person who follows, and the matching user row."""
        person = self.sandbox.people.add(name)
        self.sandbox.people.follow(person.openid)
        if window:
            self.sandbox.allowance.open(person.openid, "message")
        return add_user(session, person.openid, mp_openid=person.mp_openid,
                        messaged=timedelta(minutes=5) if window else None,
                        now=now or datetime.now(UTC))

    def arrived(self, openid: str) -> list[dict]:
        return self.sandbox.conversation.accepted(openid)

    def close(self) -> None:
        self.server.shutdown()
        self._thread.join(timeout=10)
        self.server.server_close()
        runtime = self.runtime
        runtime.close()
        if not runtime.config.redis.url.startswith("memory://"):
            for key in runtime.store.scan_iter(match=f"{runtime.keys.prefix}*", count=500):
                runtime.store.delete(key)
