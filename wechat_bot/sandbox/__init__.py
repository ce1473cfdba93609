"""The sandbox (SPEC section 8): a stand-in for WeChat's API and a phone-like chat page.

Mounted by the app factory only when `[sandbox] enabled` (on in `demo`); otherwise nothing here is
imported and /sandbox answers 404. `init_app` builds the Sandbox (its state lives in Redis) and
registers the stand-in API (/sandbox/api/…) and the pages (/sandbox/…).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from wechat_bot.sandbox import api, views
    from wechat_bot.sandbox.state import Sandbox

    app.extensions["sandbox"] = Sandbox(app.extensions["alumni_bot"])
    api.init_app(app)
    views.init_app(app)
