"""A minimal WeChat API on loopback for the core's tests: real HTTP, the real response shapes.

It issues stable tokens, accepts customer-service sends, and can be told to refuse a token once
(40001) so the client's refresh-and-retry is exercised over the wire.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@dataclass
class LoopbackWeChat:
    app_id: str
    secret: str
    tokens_issued: list[str] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    sent: list[dict] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    fetch_delay: float = 0.0

    def wsgi(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.calls.append(request.path)
        if request.path == "/cgi-bin/stable_token":
            body = request.get_json(force=True)
            if body.get("appid") != self.app_id or body.get("secret") != self.secret:
                return self._json({"errcode": 40013, "errmsg": "invalid appid"})(environ, start_response)
            if self.fetch_delay:
                threading.Event().wait(self.fetch_delay)
            with self._lock:
                token = f"token-{next(self._counter)}"
                self.tokens_issued.append(token)
            return self._json({"access_token": token, "expires_in": 7200})(environ, start_response)
        token = request.args.get("access_token")
        if token not in self.tokens_issued:
            return self._json({"errcode": 40014, "errmsg": "invalid access_token"})(environ, start_response)
        if token in self.revoked:
            return self._json({"errcode": 40001, "errmsg": "invalid credential"})(environ, start_response)
        if request.path == "/cgi-bin/message/custom/send":
            with self._lock:
                self.sent.append(json.loads(request.get_data(as_text=True)))
            return self._json({"errcode": 0, "errmsg": "ok"})(environ, start_response)
        return self._json({"errcode": 48001, "errmsg": "api unauthorized"})(environ, start_response)

    @staticmethod
    def _json(payload: dict) -> Response:
        return Response(json.dumps(payload), content_type="application/json")


class running:
    """`with running(stand_in) as base_url:` serves it (or a bare WSGI function) on a free
    loopback port; after the block nothing listens there."""

    def __init__(self, stand_in) -> None:
        self.server = make_server("127.0.0.1", 0, getattr(stand_in, "wsgi", stand_in), threaded=True)

    def __enter__(self) -> str:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join()
        self.server.server_close()
