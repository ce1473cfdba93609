"""Helpers for the tests in tests/sandbox/ (constants, builders, stand-ins); the fixtures that use
them are in conftest.py."""

from __future__ import annotations

import json
import threading

from werkzeug.serving import make_server

from wechat_bot import create_app
from wechat_bot.config import Config

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters (PROTOCOL.md test vectors)


DEAD_URL = "http://127.0.0.1:9"  # nothing listens there: a test-client app never leaves the process


def with_sandbox(config: Config, base_url: str = DEAD_URL, **wechat) -> Config:
    """The core's test config (fresh database and store), sandbox on, pointed at base_url."""
    return config.replace(
        sandbox={"enabled": True},
        app={"base_url": base_url},
        wechat={"api_base_url": f"{base_url}/sandbox/api", **wechat},
    )


def build_app(config: Config, routes=None):
    app = create_app(config, routes=routes)
    app.config["TESTING"] = True
    return app


def close_app(app) -> None:
    runtime = app.extensions["alumni_bot"]
    runtime.close()
    if not runtime.config.redis.url.startswith("memory://"):  # a shared Redis: leave it clean
        for key in runtime.store.scan_iter(match=f"{runtime.keys.prefix}*", count=500):
            runtime.store.delete(key)


class Api:
    """The stand-in API through the Flask test client, with a token fetched the regular way.

    `token=None` uses the official account's token, `token=False` sends none, a string sends it.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()
        self.sandbox = app.extensions["sandbox"]
        self.config = app.extensions["alumni_bot"].config
        self._token: str | None = None

    def token(self, app_id: str | None = None, secret: str | None = None) -> str:
        wechat = self.config.wechat
        answer = self.get(
            "cgi-bin/token",
            token=False,
            grant_type="client_credential",
            appid=app_id or wechat.app_id,
            secret=secret or wechat.app_secret,
        )
        return answer["access_token"]

    def mp_token(self) -> str:
        return self.token(self.config.miniprogram.app_id, self.config.miniprogram.app_secret)

    def _query(self, token, params: dict) -> dict:
        if token is None:
            self._token = self._token or self.token()
            token = self._token
        return {**params, **({"access_token": token} if token else {})}

    def get(self, path: str, token=None, **params) -> dict:
        return self.client.get(
            f"/sandbox/api/{path}", query_string=self._query(token, params)
        ).get_json()

    def post(self, path: str, body=None, token=None, raw: bytes | None = None) -> dict:
        # Like wechatpy: UTF-8 JSON bytes, no JSON content type.
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        response = self.client.post(
            f"/sandbox/api/{path}", query_string=self._query(token, {}), data=data
        )
        return response.get_json()

    def follower(self, nickname: str = "测试校友", opened: str | None = "message"):
        """A simulated person who follows, with a customer-service window opened by `opened`."""
        person = self.sandbox.people.add(nickname)
        self.sandbox.people.follow(person.openid)
        if opened:
            self.sandbox.allowance.open(person.openid, opened)
        return self.sandbox.people.get(person.openid)

    def say(self, person, content: str = "你好") -> dict:
        return self.post(
            "cgi-bin/message/custom/send",
            {"touser": person.openid, "msgtype": "text", "text": {"content": content}},
        )

    def shift_clock(self, seconds: float) -> None:
        self.sandbox.store.shift_clock(seconds)


class LiveServer:
    """The app on a real threaded werkzeug server; base_url and api_base_url point at it."""

    def __init__(self, config: Config, routes=None, **wechat) -> None:
        holder = {}
        # The port is only known once the socket is bound, and the config needs it: bind first,
        # then build the app and hand it to the already listening server.
        self.server = make_server("127.0.0.1", 0, lambda e, s: holder["app"](e, s), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.app = build_app(with_sandbox(config, self.url, **wechat), routes)
        holder["app"] = self.app
        self.runtime = self.app.extensions["alumni_bot"]
        self.sandbox = self.app.extensions["sandbox"]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self._thread.join(timeout=10)
        self.server.server_close()
        close_app(self.app)
