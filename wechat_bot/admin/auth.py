"""Logging in and out, and changing one's own password (/admin/login, /admin/logout,
/admin/password), on Flask-Login's session handling."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user

from handlers.staff.accounts import (
    AccountError,
    LoginOutcome,
    authenticate,
    check_password,
    login_lockout,
    session_token,
    set_password,
    verify_password,
)
from models import StaffAccount
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import LoginForm, PasswordChangeForm
from wechat_bot.admin.guard import ALL_ROLES, SEEN, roles
from wechat_bot.runtime import current_runtime

bp = Blueprint("auth", __name__)

# One message for a wrong password and an unknown user: the form tells nobody who has an account.
WRONG = "用户名或密码不正确"


class StaffUser:
    """The logged-in account as Flask-Login wants it."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, account: StaffAccount) -> None:
        self.account = account
        self.username = account.username
        self.role = account.role

    def __getattr__(self, name: str):
        return getattr(self.account, name)

    def get_id(self) -> str:
        return session_token(self.account)


def _load_user(token: str) -> StaffUser | None:
    """The session's account, if it still exists, is active and has the password it logged in
    with (a changed or reset password ends the session)."""
    account_id, _, _ = token.partition(":")
    if not account_id.isdigit():
        return None
    account = db().get(StaffAccount, int(account_id))
    if account is None or not account.active or session_token(account) != token:
        return None
    return StaffUser(account)


def init_app(app: Flask) -> None:
    config = app.extensions["alumni_bot"].config
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.app.base_url.startswith("https://"),
    )
    manager = LoginManager(app)
    manager.user_loader(_load_user)
    manager.login_view = "admin.auth.login"
    manager.login_message = "请先登录"


def _now() -> datetime:
    return datetime.now(UTC)


def _safe_next(target: str | None) -> str:
    """Back to the page that asked for the login, but only within this site's /admin."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/admin/"):
            return target
    return url_for("admin.dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form (用户名, 密码, 登录); repeated failures lock the username for a while."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        rt = current_runtime()
        username = form.username.data.strip()
        result = authenticate(db(), login_lockout(rt.store, rt.config.admin), username,
                              form.password.data, now=_now())
        if result.outcome is LoginOutcome.OK:
            session.clear()  # nothing from before the login (a planted session) survives it
            login_user(StaffUser(result.account))
            session[SEEN] = int(time.time())
            audit("login", target=f"账号 {result.account.username}",
                  actor=result.account.username)
            db().commit()
            return redirect(_safe_next(request.args.get("next")))
        reason = {LoginOutcome.WRONG: "密码错误或用户不存在",
                  LoginOutcome.LOCKED: "密码错误或用户不存在，已锁定",
                  LoginOutcome.DISABLED: "账号已停用"}[result.outcome]
        if not result.checked:
            reason = "已锁定，未核对密码"
        audit("login_failed", target=f"账号 {username}", detail=reason, actor=username)
        db().commit()
        if result.outcome is LoginOutcome.LOCKED:
            minutes = max(1, -(-result.retry_after // 60))
            flash(f"登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试", "error")
        elif result.outcome is LoginOutcome.DISABLED:
            flash("这个账号已被停用，请联系管理员", "error")
        else:
            flash(WRONG, "error")
    return render_template("admin/login.html", form=form)


@bp.get("/logout")
def logout():
    """退出: ends the session (a link, so it works from every page; it changes nothing else)."""
    if current_user.is_authenticated:
        audit("logout", target=f"账号 {current_user.username}")
        db().commit()
        logout_user()
    session.clear()
    flash("您已退出", "info")
    return redirect(url_for("admin.auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@roles(*ALL_ROLES)
def password():
    """Change one's own password (the current one first); other sessions of the account end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        account = current_user.account
        settings = current_runtime().config.admin
        if not verify_password(account, form.current.data):
            form.current.errors.append("当前密码不正确")
        else:
            try:
                check_password(form.new.data, settings)
            except AccountError as exc:
                form.new.errors.append(str(exc))
            else:
                set_password(account, form.new.data, settings=settings, now=_now())
                audit("password_changed", target=f"账号 {account.username}")
                db().commit()
                login_user(StaffUser(account))  # this session carries the new password's token
                flash("密码已修改", "success")
                return redirect(url_for("admin.dashboard.index"))
    return render_template("admin/password.html", form=form)
