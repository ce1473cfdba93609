"""gunicorn's own command line for alumni-bot, with the settings `alumni-bot serve` runs with.

    gunicorn -c deploy/gunicorn.conf.py                                   # as `alumni-bot serve`
    gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:8001 --workers 4 # the command line wins
    GUNICORN_CMD_ARGS="--workers 4" gunicorn -c deploy/gunicorn.conf.py   # so does the environment

The settings live in wechat_bot.server.gunicorn_settings (one place; tests/test_deploy.py proves
this file and `serve` agree). The app reads its own configuration as every command does:
$ALUMNI_BOT_CONFIG and ALUMNI_BOT_* variables. systemd and compose run `alumni-bot serve`, which
needs nothing outside the installed package; this file is for operators who want gunicorn itself
(`--check-config`, `--print-config`, a process manager that expects it).
"""

import sys

from wechat_bot.server import gunicorn_settings

globals().update(gunicorn_settings())

# Each worker builds its own app: database pools and Redis clients must not cross a fork.
wsgi_app = "wechat_bot:create_app()"


def on_starting(server):
    """What `serve` refuses, refused here too (the demo token and secret key, the sandbox facing
    WeChat, memory:// with several workers), then what `serve` does at start: secrets kept out of
    the master's log, [logging]'s format, the workers' metrics folder emptied
    (wechat_bot.observability.gunicorn_hooks)."""
    from wechat_bot.config import ConfigError, load_config
    from wechat_bot.log_redaction import install_log_redaction
    from wechat_bot.server import check_can_serve

    try:
        config = load_config()
        check_can_serve(config, server.cfg.workers)
    except ConfigError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        sys.exit(2)
    install_log_redaction(config)
    from wechat_bot.observability.gunicorn_hooks import on_starting as prepare_logs_and_metrics

    prepare_logs_and_metrics(server)
