"""`alumni-bot demo`: the whole product in one process with no outside services."""

from __future__ import annotations

import errno
import logging
import socket
import sys
import threading
import time
from pathlib import Path

import click
import requests
from sqlalchemy.engine import make_url
from werkzeug.serving import run_simple

from handlers.staff.demo import DEMO_ADMIN
from wechat_bot.config import load_config

log = logging.getLogger(__name__)

STAFF_CONFIG = Path("config.toml")


DEMO_TEMPLATE = "alumni-sandbox-tpl-notice"


def demo_config(*, host: str, port: int, database_url: str):
    base_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    return load_config().replace(
        app={"base_url": base_url},
        database={"url": _absolute(database_url)},
        redis={"url": "memory://"},
        wechat={"api_base_url": f"{base_url}/sandbox/api"},
        sandbox={"enabled": True},
        # The sandbox's 校友会通知 template: without one a broadcast reaches only those who wrote in
        # the last 48 hours (PROTOCOL.md), and the demo's simulated followers never wrote.
        push={"template_id": DEMO_TEMPLATE,
              "template_data": ["thing1={text}", "thing2={account}", "time3={time}"]},
    )


def _absolute(database_url: str) -> str:
    """A SQLite file relative to the demo's folder, made absolute: the staff config that names it
    must find it from anywhere (`--config`)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return database_url
    return url.set(database=str(Path(url.database).resolve())).render_as_string(hide_password=False)


def _state_file(database_url: str) -> Path:
    """Where the in-process store is kept between runs: beside the SQLite file, else here."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).with_suffix(".state.json")
    return Path("alumni-demo.state.json")


def _refuse_taken_port(host: str, port: int) -> None:
    """Say so in one line before anything claims the demo started."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As the server will bind: connections of a demo just stopped linger in TIME_WAIT, and
        # they must not make a free port look taken (a listener still refuses the bind).
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = "已被其他程序占用" if exc.errno == errno.EADDRINUSE else f"无法使用（{exc.strerror}）"
            click.echo(f"端口 {port} {why}：请换一个端口，例如 alumni-bot demo --port {port + 1}",
                       err=True)
            sys.exit(1)


def run_demo(*, host: str, port: int, alumni: int, database_url: str) -> None:
    from wechat_bot import create_app
    from wechat_bot.commands.scheduler import build_scheduler
    from wechat_bot.demo_state import StoreKeeper, load_store, write_staff_config
    from wechat_bot.migrate import upgrade
    from wechat_bot.seed import demo_identities, seed_demo

    _refuse_taken_port(host, port)
    config = demo_config(host=host, port=port, database_url=database_url)
    app = create_app(config)
    runtime = app.extensions["alumni_bot"]
    state_file = _state_file(config.database.url)
    restored = load_store(runtime.store, state_file)
    upgrade(runtime.engine)
    for line in seed_demo(runtime, alumni=alumni, sandbox=app.extensions.get("sandbox")):
        click.echo(line)
    admin_password = _demo_admin(runtime)
    _link_demo_test_recipient(runtime, app.extensions.get("sandbox"))
    if restored:
        click.echo(f"演示状态：从 {state_file} 恢复了沙盒的关注、菜单和聊天记录")
    keeper = StoreKeeper(runtime.store, state_file)
    keeper.start()
    # The scheduler in this process, with the same leader lock as `alumni-bot scheduler` (in the
    # in-process store: it leads at once). Its calls reach the sandbox once the server listens.
    scheduler = build_scheduler(runtime)
    scheduler.start()
    base = config.app.base_url
    threading.Thread(target=_publish_menus, args=(runtime, base), name="demo-menus",
                     daemon=True).start()
    wrote_config = write_staff_config(STAFF_CONFIG, database_url=config.database.url, base_url=base)
    click.echo("")
    click.echo(f"alumni-bot 演示已启动（数据库 {config.redacted()['database']['url']}，进程内 Redis）")
    if config.sandbox.enabled and "sandbox" in app.blueprints:
        click.echo(f"  模拟微信聊天：   {base}/sandbox/")
        click.echo(f"  模拟小程序登录： {base}/sandbox/miniprogram")
    click.echo(f"  管理后台：       {base}/admin/")
    if admin_password:
        click.echo(f"                   用户名 {DEMO_ADMIN}  密码 {admin_password}  （只显示这一次，请记下）")
    else:
        click.echo(f"                   用户名 {DEMO_ADMIN}（密码在第一次启动时显示过；忘记了可在本目录运行 "
                   f"alumni-bot create-admin {DEMO_ADMIN} 重设）")
    click.echo(f"  公众号接口：     {base}/wechat  （令牌 {config.wechat.token}）")
    click.echo(f"  健康检查：       {base}/healthz")
    click.echo(f"  定时任务：       本进程内运行（{'、'.join(spec.id for spec in scheduler.jobs)}）")
    identities = demo_identities(runtime)
    if identities:
        click.echo("  演示身份：       在聊天页发送其中一条即可认证（沙盒页左侧也列出了它们）")
        for command, bound in identities:
            click.echo(f"                   {command}{'（已被绑定）' if bound else ''}")
    if wrote_config:
        click.echo(f"  员工命令：       在本目录运行 alumni-bot broadcast / push-status / sync-menu 会使用 "
                   f"{STAFF_CONFIG.resolve()}（演示的数据库与沙盒）")
    else:
        click.echo(f"  员工命令：       本目录已有您自己的 {STAFF_CONFIG}，演示没有改动它；"
                   "在这里运行的员工命令会使用它，而不是演示")
    click.echo("按 Ctrl+C 退出。")
    # Threaded, so the app can call its own sandbox API while answering a request. (Flask's CLI
    # ignores app.run() inside a command, hence werkzeug's server directly.)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        scheduler.stop()
        keeper.stop()
        runtime.close()


def _demo_admin(runtime) -> str | None:
    """The demo's admin account: its password the first time, None when it already existed."""
    from datetime import UTC, datetime

    from handlers.staff.demo import ensure_demo_admin

    with runtime.sessions.begin() as session:
        return ensure_demo_admin(session, runtime.config.admin, now=datetime.now(UTC))


def _link_demo_test_recipient(runtime, sandbox) -> None:
    """The demo admin's test sends go to the chat page's first person (张伟)."""
    from handlers.staff.demo import link_test_recipient

    people = sandbox.people.all() if sandbox is not None else []
    if people:
        with runtime.sessions.begin() as session:
            link_test_recipient(session, people[0].openid)


def _publish_menus(runtime, base_url: str, wait_seconds: float = 30.0) -> None:
    """Once the server answers, publish menus/ to the sandbox as `sync-menu` would, so the chat
    page shows the real menu (and bound alumni theirs) without a manual step."""
    from menus.loader import load_menus
    from wechat_bot.commands.menu import sync_menus

    give_up = time.monotonic() + wait_seconds
    while time.monotonic() < give_up:
        try:
            requests.get(f"{base_url}/healthz", timeout=2)
            break
        except requests.RequestException:
            time.sleep(0.2)
    try:
        sync_menus(runtime.wechat, load_menus(), dry_run=False, echo=lambda line: None)
    except Exception:
        log.exception("演示启动时发布菜单失败；可在本目录运行 alumni-bot sync-menu 重试")
