"""The `alumni-bot` command (SPEC 2), built on Flask's CLI."""

from __future__ import annotations

import logging
import os
import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from wechat_bot.config import ENV_PREFIX, ConfigError, load_config
from wechat_bot.runtime import current_runtime
from wechat_bot.server import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_THREADS, DEFAULT_WORKERS

log = logging.getLogger("alumni_bot")


def _create_app():
    from wechat_bot import create_app

    return create_app(load_config())


def _remember_config(ctx: click.Context, _param, value: str | None) -> str | None:
    # The app is built lazily by Flask's CLI, after options are parsed; the environment carries it.
    if value:
        os.environ[f"{ENV_PREFIX}CONFIG"] = value
    return value


def _config_option() -> click.Option:
    return click.Option(["--config", "config_path"], metavar="PATH", expose_value=False,
                        is_eager=True, callback=_remember_config,
                        help="TOML 配置文件（默认：$ALUMNI_BOT_CONFIG，其次 ./config.toml）")


class AlumniGroup(FlaskGroup):
    """Flask's CLI group, minus what means nothing to staff (-A/--app, -e/--env-file, --debug:
    the app is ours, configured by --config), with our own --version."""

    FLASK_ONLY = frozenset({"app", "env_file", "debug"})

    def __init__(self, **extra) -> None:
        super().__init__(add_version_option=False, **extra)
        self.params = [p for p in self.params if p.name not in self.FLASK_ONLY]

    def main(self, *args, **kwargs):
        from sqlalchemy.exc import OperationalError, ProgrammingError

        try:
            return super().main(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"配置错误：{exc}", err=True)
            sys.exit(2)
        except (OperationalError, ProgrammingError) as exc:
            if not _missing_table(exc):
                raise
            click.echo(f"数据库 {_database_shown()} 里还没有表：先运行 alumni-bot init-db，"
                       f"或用 ALUMNI_BOT_DATABASE_URL / --config 指向已有的数据库", err=True)
            sys.exit(1)
        except Exception as exc:
            # WeChat unreachable, refusing the credentials or answering nonsense: the operator
            # needs the one line that says which, not the traceback through requests.
            line = _wechat_failure(exc)
            if line is None:
                raise
            click.echo(line, err=True)
            sys.exit(1)


def _wechat_failure(exc: Exception) -> str | None:
    from wechat_bot.wechat_errors import describe_failure

    try:
        base = load_config().wechat.api_base_url
    except ConfigError:
        base = "wechat.api_base_url"
    return describe_failure(exc, base)


def _missing_table(exc: Exception) -> bool:
    # SQLite: "no such table: push"; PostgreSQL: 'relation "push" does not exist'
    text = str(getattr(exc, "orig", exc))
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _database_shown() -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(load_config().database.url).render_as_string(hide_password=True)
    except Exception:
        return "（配置的数据库）"


def _staff_conventions(command: click.Command) -> None:
    """Every command takes --config after its name too (`push-status 1 --config x`), and says
    what --help does in Chinese."""
    names = {p.name for p in command.params}
    if "config_path" not in names:
        command.params.append(_config_option())
    if "help" not in names:
        command.params.append(click.Option(["--help"], is_flag=True, expose_value=False,
                                           is_eager=True, callback=_show_help, help="显示本帮助"))
    for sub in getattr(command, "commands", {}).values():
        _staff_conventions(sub)


def _show_help(ctx: click.Context, _param, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit()


@click.group(cls=AlumniGroup, create_app=_create_app, add_default_commands=False,
             load_dotenv=False, set_debug_flag=False, params=[_config_option()])
@click.version_option(package_name="alumni-bot", prog_name="alumni-bot",
                      message="%(prog)s %(version)s", help="显示 alumni-bot 的版本")
def main() -> None:
    """alumni-bot：校友会公众号与小程序后端。"""
    from wechat_bot.observability.logs import configure_logging

    configure_logging(load_config().logging)  # [logging] format and level, for every command


@main.command("init-db")
@with_appcontext
def init_db() -> None:
    """创建数据库表（已存在则升级到最新）。"""
    from wechat_bot.migrate import current_revision, upgrade

    engine = current_runtime().engine
    upgrade(engine)
    click.echo(f"数据库已就绪（版本 {current_revision(engine)}）：{_safe_url()}")


@main.group("db")
def db() -> None:
    """数据库迁移（Alembic）。"""


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """把数据库迁移到 REVISION（默认最新）。"""
    from wechat_bot.migrate import current_revision, upgrade

    engine = current_runtime().engine
    before = current_revision(engine)
    upgrade(engine, revision)
    click.echo(f"数据库版本：{before or '空'} → {current_revision(engine)}")


@db.command("current")
@with_appcontext
def db_current() -> None:
    """显示数据库当前的迁移版本。"""
    from wechat_bot.migrate import current_revision, head_revision

    click.echo(f"当前 {current_revision(current_runtime().engine) or '空'}，最新 {head_revision()}")


def _safe_url() -> str:
    return current_runtime().config.redacted()["database"]["url"]


@main.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option("--workers", default=DEFAULT_WORKERS, show_default=True,
              type=click.IntRange(1, 64))
@click.option("--threads", default=DEFAULT_THREADS, show_default=True,
              type=click.IntRange(1, 256), help="每个进程的线程数")
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help="把每个请求写到标准输出（前面有 nginx 时通常由它记录）")
def serve(host: str, port: int, workers: int, threads: int, access_log: bool) -> None:
    """用 gunicorn 运行生产服务。"""
    from wechat_bot.server import run_gunicorn

    config = load_config()
    run_gunicorn(config, host=host, port=port, workers=workers, threads=threads, access_log=access_log)


@main.command("gen-roster")
@click.argument("count", type=click.IntRange(1, 50_000_000))
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--seed", default=2026, show_default=True, type=int)
def gen_roster(count: int, out: str, seed: int) -> None:
    """生成 COUNT 名虚构校友的花名册 CSV（演示与基准测试用）。"""
    from wechat_bot.synthetic.roster import write_synthetic_roster

    with click.progressbar(length=count, label="生成花名册", file=sys.stderr) as bar:
        written = write_synthetic_roster(count, out, seed=seed, progress=bar.update)
    click.echo(f"已写入 {written} 行：{out}")


@main.command("demo")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--alumni", default=20000, show_default=True, type=click.IntRange(0, 2_000_000),
              help="虚构校友人数")
@click.option("--database", default="sqlite:///alumni-demo.db", show_default=True,
              help="演示数据库（默认当前目录下的 SQLite 文件）")
def demo(port: int, host: str, alumni: int, database: str) -> None:
    """一条命令的演示：SQLite、进程内存储、虚构数据、沙箱。"""
    from wechat_bot.demo import run_demo

    run_demo(host=host, port=port, alumni=alumni, database_url=database)


# Each feature's commands live in wechat_bot/commands/; registered here, after the group exists.
from wechat_bot.commands.accounts import create_admin  # noqa: E402
from wechat_bot.commands.chapters import import_chapters_command  # noqa: E402
from wechat_bot.commands.menu import sync_menu_command  # noqa: E402
from wechat_bot.commands.push import broadcast, push_status  # noqa: E402
from wechat_bot.commands.roster import import_roster  # noqa: E402
from wechat_bot.commands.scheduler import scheduler_command  # noqa: E402

for _command in (import_roster, import_chapters_command, sync_menu_command, broadcast, push_status,
                 scheduler_command, create_admin):
    main.add_command(_command)
_staff_conventions(main)
