"""The mini-program's JSON API under /api/v1 (SPEC 6): a thin door onto the feature services.

One module per resource (auth, me, alumni, subscriptions) registers its views on `bp`; `openapi`
declares and validates each operation, `errors` gives every refusal one shape, `tokens` is the
login state. Register with `init_app(app)` (the blueprint, plus the JSON 404/405 for our prefix).
"""

from __future__ import annotations

from flask import Blueprint

URL_PREFIX = "/api/v1"

bp = Blueprint("api", __name__, template_folder="templates")

from wechat_bot.api import errors

errors.register(bp)

from wechat_bot.api import alumni, auth, chapters, docs, me, subscriptions  # noqa: F401  (views register on bp)


def init_app(app) -> None:
    errors.init_app(app)
    app.register_blueprint(bp, url_prefix=URL_PREFIX)
