"""`alumni-bot scheduler`'s own `/metrics`: leadership and what its delivery did, which no web
worker sees. One process, so its metrics stay in memory (never in gunicorn's directory, which
`serve` empties when it starts), served by a small threaded server at `[metrics]
scheduler_host:scheduler_port` (`scheduler --metrics-port` for a second scheduler on one host),
to the same addresses and token as the web's /metrics.
"""

from __future__ import annotations

import logging
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from wechat_bot.config import MetricsSection
from wechat_bot.observability.access import MetricsAccess

log = logging.getLogger("alumni_bot.scheduler")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


class _ThreadedServer(WSGIServer):
    daemon_threads = True


def metrics_app(section: MetricsSection):
    """A WSGI app answering GET /metrics to who `section` allows, 404 to anything else."""
    access = MetricsAccess(section)

    def app(environ, start_response):
        from wechat_bot.observability.endpoint import exposition

        if environ.get("PATH_INFO") != "/metrics" or not access.allows(environ):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        body, content_type = exposition()
        start_response("200 OK", [("Content-Type", content_type), ("Cache-Control", "no-store")])
        return [body]

    return app


def serve_metrics(section: MetricsSection, port: int) -> WSGIServer | None:
    """Start serving in a daemon thread; None when the port is 0 or taken (the scheduler runs
    on without it, and says so)."""
    if not section.enabled or port == 0:
        return None
    try:
        server = make_server(section.scheduler_host, port, metrics_app(section),
                             server_class=_ThreadedServer, handler_class=_QuietHandler)
    except OSError as exc:
        log.warning("调度器指标端口 %s:%s 无法监听（%s）：本进程不提供 /metrics",
                    section.scheduler_host, port, exc.strerror or exc)
        return None
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("调度器指标：http://%s:%s/metrics", section.scheduler_host, server.server_port)
    return server
