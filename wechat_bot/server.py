"""Running the app under gunicorn for `alumni-bot serve`."""

from __future__ import annotations

import click
from gunicorn.app.base import BaseApplication

from wechat_bot.config import Config
from wechat_bot.store import is_in_process


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        # Each worker builds its own app: database pools and Redis clients must not cross a fork.
        from wechat_bot import create_app

        return create_app()


def check_can_serve(config: Config, workers: int) -> None:
    if workers > 1 and is_in_process(config.redis.url):
        raise click.UsageError(
            f"redis.url = memory:// 是进程内存储，只能单进程使用；--workers {workers} 需要真正的 Redis"
            "（例如 ALUMNI_BOT_REDIS_URL=redis://127.0.0.1:6379/0），或改用 --workers 1。"
        )


def run_gunicorn(config: Config, *, host: str, port: int, workers: int, threads: int,
                 access_log: bool = False) -> None:
    check_can_serve(config, workers)
    from wechat_bot.log_redaction import install_log_redaction

    install_log_redaction(config)  # gunicorn's master logs too; its workers inherit it and add theirs
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        # Threads, so a request that calls this same app (the sandbox API) never waits on itself.
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 30,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        "worker_exit": _close_runtime,
    }).run()


def _close_runtime(_server, worker) -> None:
    """A worker stopping (TERM, a restart) first sends what waits in memory: replies, log lines."""
    app = getattr(worker, "wsgi", None)
    runtime = app.extensions.get("alumni_bot") if app is not None else None
    if runtime is not None:
        runtime.close()
