"""Helpers for the mini-program API's tests: a live server with the sandbox standing in for
WeChat (logins exchange real codes over HTTP), a roster to search, and signed-in alumni.

The fixtures are in conftest.py.
"""

from __future__ import annotations

import threading

import requests
from werkzeug.serving import make_server

from tests.roster import IMPORTED, add_alumnus  # noqa: F401  (the API tests import them from here)
from wechat_bot import create_app
from wechat_bot.config import Config

API = "/api/v1"




def seed_roster(runtime) -> dict[str, int]:
    with runtime.sessions.begin() as session:
        return {
            "zhangwei": add_alumnus(session, "2012010101", "张伟", 2012, phone="13812345678",
                                    email="zhangwei@example.com", city="上海", employer="甲公司"),
            "zhangwei_ms": add_alumnus(session, "2015110101", "张伟", 2015, degree="硕士"),
            "lina": add_alumnus(session, "2013020202", "李娜", 2013, college="经济学院",
                                privacy="public", city="北京"),
            "wangfang": add_alumnus(session, "2012010102", "王芳", 2012, city="上海",
                                    employer="乙公司"),
            "hidden": add_alumnus(session, "2012010103", "张丽", 2012, privacy="hidden"),
        }


class LiveApi:
    """The app on a real threaded werkzeug server, sandbox on and WeChat pointed at it."""

    def __init__(self, config: Config) -> None:
        holder = {}
        self.server = make_server("127.0.0.1", 0, lambda e, s: holder["app"](e, s), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.app = create_app(config.replace(
            sandbox={"enabled": True}, app={"base_url": self.url},
            wechat={"api_base_url": f"{self.url}/sandbox/api"}))
        self.app.config["TESTING"] = True
        holder["app"] = self.app
        self.runtime = self.app.extensions["alumni_bot"]
        self.sandbox = self.app.extensions["sandbox"]
        self.http = requests.Session()
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def person(self, nickname: str = "测试校友", *, follows: bool = True):
        """A simulated WeChat user (official-account openid, mini-program openid, one unionid)."""
        person = self.sandbox.people.add(nickname)
        if follows:
            self.sandbox.people.follow(person.openid)
        return person

    def code(self, person) -> str:
        """wx.login() on the sandbox's mini-program page."""
        answer = self.http.post(f"{self.url}/sandbox/_/miniprogram/code", json={"openid": person.openid})
        answer.raise_for_status()
        return answer.json()["code"]

    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, f"{self.url}{API}{path}", headers=headers, timeout=10,
                                 **kwargs)

    def login(self, person) -> str:
        answer = self.call("POST", "/auth/login", json={"code": self.code(person)})
        assert answer.status_code == 200, answer.text
        return answer.json()["token"]

    def bound_token(self, person, name: str, student_id: str) -> str:
        token = self.login(person)
        answer = self.call("POST", "/me/binding", token, json={"name": name, "student_id": student_id})
        assert answer.status_code == 200, answer.text
        return token

    def close(self) -> None:
        self.server.shutdown()
        self._thread.join(timeout=10)
        self.server.server_close()
        self.http.close()
        runtime = self.runtime
        runtime.close()
        if not runtime.config.redis.url.startswith("memory://"):
            for key in runtime.store.scan_iter(match=f"{runtime.keys.prefix}*", count=500):
                runtime.store.delete(key)
