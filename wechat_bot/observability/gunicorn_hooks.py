"""gunicorn's hooks for logs and metrics: what `alumni-bot serve` installs, and what a
gunicorn.conf.py that runs the app itself imports (docs/observability.md):

    from wechat_bot.observability.gunicorn_hooks import on_starting, post_fork, child_exit, on_exit
    logger_class = "wechat_bot.observability.gunicorn_hooks.GunicornLogger"

* GunicornLogger: gunicorn's own lines (its error log, and its access log when on) in the format
  of `[logging]`, from its first line on.
* on_starting (the master, once): the app's log in that format too; the shared metrics
  directory made and emptied — `[metrics] multiprocess_dir`, else
  $PROMETHEUS_MULTIPROC_DIR, else a fresh temporary one — and exported as
  PROMETHEUS_MULTIPROC_DIR for the workers. Emptied because files left by the previous run's
  workers would be added to this run's counters.
* post_fork (each worker): its metrics go to that directory.
* child_exit (the master, a worker gone): its live gauges are dropped (its counters stay, summed).
* on_exit: a temporary directory made by on_starting is removed.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from gunicorn import glogging

from telemetry import metrics

log = logging.getLogger("alumni_bot.serve")
_made: dict[str, str] = {}  # the temporary directory on_starting made, to remove on exit


def prepare_metrics_directory(configured: str = "") -> str:
    """The directory the workers share, made and emptied of earlier runs' files."""
    chosen = configured or os.environ.get(metrics.MULTIPROCESS_ENV, "")
    if not chosen:
        chosen = _made["directory"] = tempfile.mkdtemp(prefix="alumni-bot-metrics-")
    folder = Path(chosen)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.db"):
        old.unlink()
    os.environ[metrics.MULTIPROCESS_ENV] = str(folder)
    return str(folder)


class GunicornLogger(glogging.Logger):
    """gunicorn's logger, its handlers formatting as `[logging] format` says."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        from wechat_bot.config import load_config
        from wechat_bot.observability.logs import formatter_for

        formatter = formatter_for(load_config().logging)
        for handler in (*self.error_log.handlers, *self.access_log.handlers):
            handler.setFormatter(formatter)


def on_starting(server) -> None:
    from wechat_bot.config import load_config
    from wechat_bot.log_redaction import install_log_redaction
    from wechat_bot.observability.logs import configure_logging

    config = load_config()
    install_log_redaction(config)
    configure_logging(config.logging)
    directory = prepare_metrics_directory(config.metrics.multiprocess_dir)
    log.info("指标目录：%s（%s）", directory, metrics.MULTIPROCESS_ENV)


def post_fork(server, worker) -> None:
    metrics.use_directory(os.environ.get(metrics.MULTIPROCESS_ENV) or None)


def child_exit(server, worker) -> None:
    if os.environ.get(metrics.MULTIPROCESS_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    made = _made.pop("directory", None)
    if made:
        shutil.rmtree(made, ignore_errors=True)
