"""The stand-in WeChat API under /sandbox/api/, speaking the real request and response shapes.

Each endpoint is a small function registered with `@endpoint(path)`; the wrapper does what every
real endpoint does first — the requested faults, the access-token check, the JSON body — and turns
an ApiError into WeChat's `{"errcode", "errmsg"}` with HTTP 200, as the real servers answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from wechat_bot.sandbox.errors import ApiError
from wechat_bot.sandbox.state import Sandbox, sandbox_of

bp = Blueprint("sandbox_api", __name__, url_prefix="/sandbox/api")

OK = {"errcode": 0, "errmsg": "ok"}


@dataclass(frozen=True)
class Call:
    """What an endpoint gets: the query, the JSON body (POST), the caller's app id, and the
    sandbox's settings of this call (`Faults.get()`: the senders read the reports switch)."""

    args: dict[str, str]
    body: dict[str, Any]
    app_id: str | None
    settings: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Sandbox, Call], "dict | Response"]


def endpoint(path: str, methods: tuple[str, ...] = ("POST",), token: str | None = "oa") -> Callable:
    """Register `path`; `token` is which app's access token it needs: oa, mp, any, or None."""

    def decorate(handler: Handler) -> Handler:
        def view() -> Response:
            sandbox = sandbox_of(current_app)
            try:
                settings = sandbox.faults.apply(path)
                app_id = _check_token(sandbox, token) if token else None
                body = _json_body() if request.method == "POST" and not request.files else {}
                result = handler(sandbox, Call(request.args.to_dict(), body, app_id, settings))
            except ApiError as refusal:
                result = refusal.body()
            return result if isinstance(result, Response) else jsonify(result)

        view.__doc__ = handler.__doc__
        bp.add_url_rule(
            f"/{path}", endpoint=path.replace("/", "_"), view_func=view, methods=list(methods)
        )
        return handler

    return decorate


def _check_token(sandbox: Sandbox, needs: str) -> str:
    app_id = sandbox.tokens.app_of(request.args.get("access_token"))
    wanted = {"oa": sandbox.config.wechat.app_id, "mp": sandbox.config.miniprogram.app_id}.get(
        needs
    )
    if wanted is not None and app_id != wanted:
        raise ApiError(
            48001,
            f"this API needs the {'official account' if needs == 'oa' else 'mini-program'} token",
        )
    return app_id


def _json_body() -> dict[str, Any]:
    # wechatpy posts JSON without a JSON content type, so read the bytes rather than get_json().
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiError(44002)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(47001) from None
    if not isinstance(body, dict):
        raise ApiError(47001)
    return body


def require_openid(sandbox: Sandbox, value: Any, *, following: bool = True):
    """The simulated person behind an official-account openid: 40003 unknown, 43004 unfollowed."""
    person = sandbox.people.get(value if isinstance(value, str) else None)
    if person is None:
        raise ApiError(40003)
    if following and not person.subscribed:
        raise ApiError(43004)
    return person


def init_app(app) -> None:
    # Importing the endpoint modules registers their routes on `bp`.
    from wechat_bot.sandbox.api import auth, control, media, menu, messages, templates, users  # noqa: F401

    app.register_blueprint(bp)
