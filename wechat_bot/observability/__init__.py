"""Logs, request ids and `/metrics` for the app and the scheduler (docs/observability.md).

`init_app` gives every request an id (request_ids.py) and mounts `/metrics` (endpoint.py);
`configure_logging` (logs.py) is called by every process at start-up; gunicorn's hooks for the
shared metrics directory are in gunicorn_hooks.py, the scheduler's own endpoint in
scheduler_endpoint.py.
"""

from __future__ import annotations

import os

from flask import Flask

from telemetry import metrics
from wechat_bot.config import Config


def init_app(app: Flask, config: Config) -> None:
    from wechat_bot.observability.request_ids import RequestIds

    app.wsgi_app = RequestIds(app.wsgi_app)
    # A gunicorn worker finds the shared directory in its environment (gunicorn_hooks.py set it
    # in the master); anything else keeps its metrics in memory.
    shared = os.environ.get(metrics.MULTIPROCESS_ENV) or None
    if shared and metrics.directory() is None:
        try:
            metrics.use_directory(shared)
        except RuntimeError:
            pass  # this process recorded metrics in memory already (tests building many apps)
    if config.metrics.enabled:
        from wechat_bot.observability.endpoint import bp

        app.register_blueprint(bp)
