"""`/healthz`: whether the database and Redis answer, for load balancers and operators."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, send_from_directory
from sqlalchemy import text

from wechat_bot.runtime import current_runtime

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 with each dependency's status when all answer, 503 when one does not."""
    runtime = current_runtime()
    status = {"database": "ok", "redis": "ok"}
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("健康检查：数据库不可用（%s）", type(exc).__name__)
        status["database"] = "down"
    try:
        runtime.store.ping()
    except Exception as exc:
        log.warning("健康检查：Redis 不可用（%s）", type(exc).__name__)
        status["redis"] = "down"
    healthy = all(v == "ok" for v in status.values())
    return jsonify(status=("ok" if healthy else "down"), **status), (200 if healthy else 503)


@bp.get("/favicon.ico")
def favicon():
    """The tab icon, for browsers that ask for it without reading a page's <link rel="icon">."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml",
                               max_age=86400)
