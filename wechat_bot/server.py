"""Running the app under gunicorn for `alumni-bot serve`."""

from __future__ import annotations

from urllib.parse import urlsplit

from gunicorn.app.base import BaseApplication
from gunicorn.config import KNOWN_SETTINGS

from wechat_bot.config import DEMO_SECRET_KEY, DEMO_TOKEN, Config, ConfigError
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
    refuse_demo_settings(config)
    if workers > 1 and is_in_process(config.redis.url):
        raise ConfigError(
            f"redis.url = memory:// 是进程内存储，只能单进程使用；--workers {workers} 需要真正的 Redis"
            "（例如 ALUMNI_BOT_REDIS_URL=redis://127.0.0.1:6379/0），或改用 --workers 1。"
        )


def refuse_demo_settings(config: Config) -> None:
    """What `demo` may use and production must not (SPEC 3): the published demo token and secret
    key let anyone sign webhook requests and forge sessions; the sandbox's chat page signs
    messages as any openid, so it must never face WeChat's real API."""
    if config.wechat.token == DEMO_TOKEN:
        raise ConfigError(f"wechat.token 仍是演示令牌 {DEMO_TOKEN}，生产服务不能使用："
                          "请设置为公众号后台「服务器配置」里的令牌（或 ALUMNI_BOT_WECHAT_TOKEN）")
    if config.app.secret_key == DEMO_SECRET_KEY:
        raise ConfigError("app.secret_key 仍是演示值，生产服务不能使用：请设置一串随机字符"
                          "（例如 python3 -c 'import secrets; print(secrets.token_hex(32))' 的输出，"
                          "或 ALUMNI_BOT_APP_SECRET_KEY）")
    if config.sandbox.enabled and is_wechat_host(config.wechat.api_base_url):
        raise ConfigError(f"[sandbox] enabled 与真实的微信接口 wechat.api_base_url = {config.wechat.api_base_url} "
                          "不能同时使用：沙箱只用于演示和测试，生产环境请关闭 sandbox.enabled")


def is_wechat_host(url: str) -> bool:
    """api.weixin.qq.com and its regional hosts (api2, sh.api, sz.api, hk.api)."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    return host == "weixin.qq.com" or host.endswith(".weixin.qq.com")


# `serve`'s defaults, and deploy/gunicorn.conf.py's: one size for a small machine (docs/deployment.md
# sizes 2, 4 and 8 cores).
DEFAULT_HOST = "0.0.0.0"
DEFAULT_PORT = 8000
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 8


def gunicorn_settings(*, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                      workers: int = DEFAULT_WORKERS, threads: int = DEFAULT_THREADS,
                      access_log: bool = False) -> dict:
    """gunicorn's settings for this app: what `serve` runs with, and what deploy/gunicorn.conf.py
    sets for `gunicorn -c` (the one place they are written)."""
    from wechat_bot.observability import gunicorn_hooks as hooks

    settings = {
        "bind": f"{host}:{port}",
        "workers": workers,
        # Threads, so a request that calls this same app (the sandbox API) never waits on itself.
        "worker_class": "gthread",
        "threads": threads,
        # Longer than any request may take (WeChat's 5 seconds, an XLSX import): a worker that hangs
        # past it is killed and replaced.
        "timeout": 30,
        # On TERM a worker finishes its requests for up to this long (a rolling restart loses none).
        "graceful_timeout": 20,
        # nginx in front reuses its connections to us (upstream keepalive).
        "keepalive": 5,
        "accesslog": "-" if access_log else None,
        # gunicorn's default line, then the request's id (our response header).
        "access_log_format": '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
                             "%({x-request-id}o)s",
        "errorlog": "-",
        "loglevel": "info",
        "worker_exit": _close_runtime,
        # Logs in [logging]'s format; the workers' shared metrics directory (docs/observability.md).
        "logger_class": hooks.GunicornLogger,
        "on_starting": hooks.on_starting,
        "post_fork": hooks.post_fork,
        "child_exit": hooks.child_exit,
        "on_exit": hooks.on_exit,
    }
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        # gunicorn 24+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl):
        # two instances on a machine would take it from each other, and nothing here uses it.
        settings["control_socket_disable"] = True
    return settings


def run_gunicorn(config: Config, *, host: str, port: int, workers: int, threads: int,
                 access_log: bool = False) -> None:
    check_can_serve(config, workers)
    from wechat_bot.log_redaction import install_log_redaction

    install_log_redaction(config)  # gunicorn's master logs too; its workers inherit it and add theirs
    _Gunicorn(gunicorn_settings(host=host, port=port, workers=workers, threads=threads,
                                access_log=access_log)).run()


def _close_runtime(_server, worker) -> None:
    """A worker stopping (TERM, a restart) first sends what waits in memory: replies, log lines."""
    app = getattr(worker, "wsgi", None)
    runtime = app.extensions.get("alumni_bot") if app is not None else None
    if runtime is not None:
        runtime.close()
