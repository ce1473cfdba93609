"""`alumni-bot create-admin`: prompted or piped passwords, refusals in Chinese, updates."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from handlers.staff.accounts import find_account, verify_password
from models import AuditEntry, StaffRole
from tests.admin.support import add_alumnus, add_chapter, login


class _Cli:
    """The real `alumni-bot` group, run on the test's app."""

    def __init__(self, app) -> None:
        self.runner = app.test_cli_runner()

    def invoke(self, args, input=None):
        from wechat_bot.cli import main

        return self.runner.invoke(main, args=args, input=input)


def _cli(app) -> _Cli:
    return _Cli(app)


def _account(runtime, username):
    with runtime.sessions() as session:
        account = find_account(session, username)
        if account is not None:
            session.expunge(account)
        return account


def test_create_admin_prompts_twice_and_the_account_can_log_in(app, runtime):
    result = _cli(app).invoke(args=["create-admin", "wang"],
                                          input="long-enough-1\nlong-enough-1\n")
    assert result.exit_code == 0, result.output
    assert "已创建账号 wang（管理员）" in result.output
    assert _account(runtime, "wang").role is StaffRole.ADMIN
    assert login(app.test_client(), "wang", "long-enough-1").status_code == 302


def test_create_admin_asks_again_when_the_two_passwords_differ(app, runtime):
    result = _cli(app).invoke(
        args=["create-admin", "wang"], input="long-enough-1\nlong-enough-2\nlong-enough-3\nlong-enough-3\n")
    assert result.exit_code == 0, result.output
    assert "两次输入的密码不一致" in result.output
    assert verify_password(_account(runtime, "wang"), "long-enough-3")


def test_create_admin_reads_the_password_from_stdin(app, runtime):
    result = _cli(app).invoke(args=["create-admin", "li", "--role", "staff",
                                                "--password-stdin"], input="from-a-script-1\n")
    assert result.exit_code == 0, result.output
    account = _account(runtime, "li")
    assert account.role is StaffRole.STAFF and verify_password(account, "from-a-script-1")
    with runtime.sessions() as session:
        entry = session.scalar(select(AuditEntry))
    assert (entry.actor, entry.action, entry.target) == ("（命令行）", "account_created", "账号 li")


def test_create_admin_updates_an_existing_account_and_says_so(app, runtime):
    runner = _cli(app)
    runner.invoke(args=["create-admin", "li", "--password-stdin"], input="first-password\n")
    result = runner.invoke(args=["create-admin", "LI", "--role", "staff", "--password-stdin"],
                           input="second-password\n")
    assert result.exit_code == 0, result.output
    assert "账号 li 已存在：已更新密码，角色为工作人员" in result.output
    account = _account(runtime, "li")
    assert account.role is StaffRole.STAFF
    assert verify_password(account, "second-password") and not verify_password(account, "first-password")


def test_create_admin_refuses_what_it_cannot_honour(app, runtime):
    with runtime.sessions.begin() as session:
        add_alumnus(session, college="计算机学院")
        add_chapter(session, "上海校友会")
    runner = _cli(app)
    cases = {
        ("--password-stdin",): ("short\n", "密码太短：至少 10 个字符"),
        ("--role", "college", "--password-stdin"): ("long-enough-1\n", "学院联络人必须指定学院"),
        ("--role", "college", "--college", "天文学院", "--password-stdin"):
            ("long-enough-1\n", "花名册里没有学院「天文学院」"),
        ("--role", "liaison", "--password-stdin"): ("long-enough-1\n", "分会联络员必须指定分会"),
        ("--role", "liaison", "--chapter", "火星校友会", "--password-stdin"):
            ("long-enough-1\n", "没有名为「火星校友会」的校友分会"),
        ("--role", "staff", "--college", "计算机学院", "--password-stdin"):
            ("long-enough-1\n", "不需要指定学院或分会"),
    }
    for options, (stdin, message) in cases.items():
        result = runner.invoke(args=["create-admin", "zhao", *options], input=stdin)
        assert result.exit_code == 2, (options, result.output)
        assert message in result.output, (options, result.output)
    assert _account(runtime, "zhao") is None
    ok = runner.invoke(args=["create-admin", "zhao", "--role", "college", "--college", "计算机学院",
                             "--password-stdin"], input="long-enough-1\n")
    assert ok.exit_code == 0, ok.output
    assert _account(runtime, "zhao").college == "计算机学院"
    ok = runner.invoke(args=["create-admin", "qian", "--role", "liaison", "--chapter", "上海校友会",
                             "--password-stdin"], input="long-enough-1\n")
    assert ok.exit_code == 0, ok.output
    assert _account(runtime, "qian").chapter_id is not None


def test_a_new_password_from_the_shell_lifts_a_lockout(app, runtime):
    from handlers.staff.accounts import login_lockout

    runner = _cli(app)
    runner.invoke(args=["create-admin", "wang", "--password-stdin"], input="long-enough-1\n")
    lockout = login_lockout(runtime.store, runtime.config.admin)
    for _ in range(runtime.config.admin.login_failures_allowed):
        lockout.attempt("wang", datetime.now(UTC))
        lockout.failed("wang", datetime.now(UTC))
    assert not lockout.check("wang", datetime.now(UTC)).allowed
    runner.invoke(args=["create-admin", "wang", "--password-stdin"], input="long-enough-2\n")
    assert login(app.test_client(), "wang", "long-enough-2").status_code == 302
