"""`GET /metrics`: Prometheus's text format, for the addresses and token `[metrics]` allows
(access.py); anyone else gets a plain 404, as for a page that does not exist.

Under gunicorn every worker writes its metrics to the shared directory (telemetry.metrics) and
whichever worker is asked adds them all up. The outbox's depth is read from the database at
scrape time (scheduler.outbox_depth), so it is right whichever process answers.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request

from scheduler.outbox_depth import OutboxCollector
from telemetry import metrics
from wechat_bot.observability.access import MetricsAccess
from wechat_bot.runtime import current_runtime

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape() -> Response:
    """Every metric of this process (or of all gunicorn workers) and the outbox's depth."""
    runtime = current_runtime()
    access = runtime.extras.get("metrics_access")
    if access is None:
        access = runtime.extras["metrics_access"] = MetricsAccess(runtime.config.metrics)
    if not access.allows(request.environ):
        abort(404)
    body, content_type = exposition(OutboxCollector(runtime.sessions))
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


def exposition(*collectors) -> tuple[bytes, str]:
    """This process's metrics (all workers' in the shared directory), then `collectors`'."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    metrics.WEBHOOK_SECONDS  # noqa: B018  (built, so a fresh process shows its metrics at 0)
    shared = metrics.directory()
    if shared:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=shared)
    else:
        registry = REGISTRY
    body = generate_latest(registry)
    extra = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        extra.register(collector)
    try:
        body += generate_latest(extra)
    except Exception as exc:  # the database is down: the rest of the metrics still answer
        log.warning("读取推送队列深度失败（%s）", type(exc).__name__)
    return body, CONTENT_TYPE_LATEST
