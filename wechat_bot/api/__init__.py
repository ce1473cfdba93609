"""The mini-program's JSON API under /api/v1 (SPEC 6): a thin door onto the feature services.

One module per resource (auth, me, subscriptions, alumni, chapters, docs), each with its own
blueprint, nested in `bp` by `init_app`; `openapi` declares and validates each operation, `errors`
gives every refusal one shape (its handlers are `bp`'s, so they answer for every nested view),
`tokens` is the login state. Register with `init_app(app)`: the blueprints, plus the JSON 404/405
for our prefix.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Flask

from wechat_bot.api import errors

URL_PREFIX = "/api/v1"

bp = Blueprint("api", __name__, template_folder="templates")
errors.register(bp)


def init_app(app: Flask) -> None:
    """Mount the API on `app`: the resources' blueprints inside `bp`, at URL_PREFIX."""
    _nest_resources()
    errors.init_app(app)
    app.register_blueprint(bp, url_prefix=URL_PREFIX)


@cache
def _nest_resources() -> None:
    """Once per process: tests and workers build many apps from the one `bp`, and Flask lets a
    blueprint take no new child once it has been registered on an app."""
    from wechat_bot.api import (
        alumni,
        auth,
        card,
        chapters,
        circles,
        consents,
        docs,
        events,
        me,
        mentors,
        my_data,
        news,
        reunion_feedback,
        reunion_pass,
        reunions,
        subscriptions,
        verification,
    )

    # In the order the OpenAPI document and the docs page list them.
    for resource in (me, my_data, alumni, auth, chapters, docs, subscriptions, consents, verification,
                     reunions, reunion_pass, reunion_feedback, events, card, mentors, news,
                     circles):
        bp.register_blueprint(resource.bp)
