"""`alumni-bot demo`: the whole product in one process with no outside services."""

from __future__ import annotations

import logging

import click
from werkzeug.serving import run_simple

from wechat_bot.config import load_config

log = logging.getLogger(__name__)


def demo_config(*, host: str, port: int, database_url: str):
    base_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    return load_config().replace(
        app={"base_url": base_url},
        database={"url": database_url},
        redis={"url": "memory://"},
        wechat={"api_base_url": f"{base_url}/sandbox/api"},
        sandbox={"enabled": True},
    )


def run_demo(*, host: str, port: int, alumni: int, database_url: str) -> None:
    from wechat_bot import create_app
    from wechat_bot.commands.scheduler import build_scheduler
    from wechat_bot.migrate import upgrade
    from wechat_bot.seed import seed_demo

    config = demo_config(host=host, port=port, database_url=database_url)
    app = create_app(config)
    runtime = app.extensions["alumni_bot"]
    upgrade(runtime.engine)
    for line in seed_demo(runtime, alumni=alumni):
        click.echo(line)
    # The scheduler in this process, with the same leader lock as `alumni-bot scheduler` (in the
    # in-process store: it leads at once). Its calls reach the sandbox once the server listens.
    scheduler = build_scheduler(runtime)
    scheduler.start()
    base = config.app.base_url
    click.echo("")
    click.echo(f"alumni-bot 演示已启动（数据库 {config.redacted()['database']['url']}，进程内 Redis）")
    if config.sandbox.enabled and "sandbox" in app.blueprints:
        click.echo(f"  模拟微信聊天：   {base}/sandbox/")
        click.echo(f"  模拟小程序登录： {base}/sandbox/miniprogram")
    click.echo(f"  公众号接口：     {base}/wechat  （令牌 {config.wechat.token}）")
    click.echo(f"  健康检查：       {base}/healthz")
    click.echo(f"  定时任务：       本进程内运行（{'、'.join(spec.id for spec in scheduler.jobs)}）")
    click.echo("按 Ctrl+C 退出。")
    # Threaded, so the app can call its own sandbox API while answering a request. (Flask's CLI
    # ignores app.run() inside a command, hence werkzeug's server directly.)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        scheduler.stop()
        runtime.close()
