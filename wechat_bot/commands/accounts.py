"""`alumni-bot create-admin USERNAME [--role R] [--college NAME] [--chapter NAME] [--password-stdin]`:
a staff account for the admin page (SPEC 2), or a new password / role for an existing one.

The password is asked twice (hidden), or read from the first line of stdin for scripts; the rules
(length, role and place) are handlers.staff.accounts', the same as the accounts page's.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from handlers.staff.accounts import (
    AccountError,
    check_password,
    check_place,
    check_username,
    create_account,
    find_account,
    login_lockout,
    place_account,
    set_active,
    set_password,
    username_key,
)
from handlers.staff.audit import CLI_ACTOR, record_audit
from models import StaffRole
from wechat_bot.runtime import current_runtime

ROLE_HELP = "admin 管理员（默认）| staff 工作人员 | college 学院联络人 | liaison 分会联络员"


def _read_password(from_stdin: bool, settings) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise AccountError("标准输入里没有密码")
        return check_password(line.rstrip("\r\n"), settings)
    while True:
        first = click.prompt("密码", hide_input=True, prompt_suffix="：", err=True)
        try:
            check_password(first, settings)
        except AccountError as exc:
            click.echo(str(exc), err=True)
            continue
        if click.prompt("再输入一次密码", hide_input=True, prompt_suffix="：", err=True) == first:
            return first
        click.echo("两次输入的密码不一致，请重新输入", err=True)


@click.command("create-admin")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in StaffRole]), default="admin",
              show_default=True, help=ROLE_HELP)
@click.option("--college", metavar="NAME", help="学院联络人所属学院（按花名册中的写法）")
@click.option("--chapter", metavar="NAME", help="分会联络员所属分会的名称")
@click.option("--password-stdin", is_flag=True, help="从标准输入的第一行读取密码（用于脚本）")
@with_appcontext
def create_admin(username: str, role: str, college: str | None, chapter: str | None,
                 password_stdin: bool) -> None:
    """创建管理后台账号；账号已存在时更新它的密码和角色。"""
    rt = current_runtime()
    settings = rt.config.admin
    now = datetime.now(UTC)
    chosen = StaffRole(role)
    try:
        name = check_username(username)
        with rt.sessions() as session:
            place = check_place(session, chosen, college, chapter)  # before asking for a password
            password = _read_password(password_stdin, settings)
            account = find_account(session, name)
            if account is None:
                account = create_account(session, name, password, chosen, place,
                                         settings=settings, now=now)
                action, said = "account_created", f"已创建账号 {account.username}（{chosen.label}）"
            else:
                set_password(account, password, settings=settings, now=now)
                place_account(account, chosen, place)
                set_active(account, True, now=now)
                action, said = "account_changed", (f"账号 {account.username} 已存在：已更新密码，"
                                                   f"角色为{chosen.label}，账号可以登录")
            where = place.college or (place.chapter.name if place.chapter else "")
            record_audit(session, at=now, actor=CLI_ACTOR, action=action,
                         target=f"账号 {account.username}",
                         detail=f"{chosen.label}{f'（{where}）' if where else ''}")
            session.commit()
    except AccountError as exc:
        click.echo(f"无法创建账号：{exc}", err=True)
        sys.exit(2)
    login_lockout(rt.store, settings).unlock(username_key(name))  # a new password lifts a lock
    click.echo(said)
    click.echo(f"登录地址：{rt.config.app.base_url.rstrip('/')}/admin/login")
