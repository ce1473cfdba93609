"""Staff accounts (/admin/accounts/), admin only: list, create, change role and place, disable or
enable, reset a password. Every change goes in the audit log with what changed."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from handlers.staff.accounts import (
    AccountError,
    check_password,
    check_place,
    create_account,
    login_lockout,
    place_account,
    set_active,
    set_password,
    username_key,
)
from models import Chapter, StaffAccount, StaffRole
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import AccountCreateForm, ConfirmForm, PlaceForm, ResetPasswordForm
from wechat_bot.admin.guard import roles
from wechat_bot.runtime import current_runtime

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
admin_only = roles(StaffRole.ADMIN)


def _chapter_choices(form: PlaceForm) -> None:
    names = db().scalars(select(Chapter.name).order_by(Chapter.name))
    form.chapter.choices = [SelectChoice("", "（无）"), *(SelectChoice(name, name) for name in names)]


def _account_or_404(account_id: int) -> StaffAccount:
    account = db().get(StaffAccount, account_id)
    if account is None:
        abort(404)
    return account


def _describe(account: StaffAccount) -> str:
    place = account.college or (account.chapter.name if account.chapter else "")
    return f"{account.role.label}{f'（{place}）' if place else ''}"


@bp.get("/")
@admin_only
def index():
    accounts = db().scalars(select(StaffAccount).order_by(StaffAccount.username_key))
    return render_template("admin/accounts.html", accounts=list(accounts), confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@admin_only
def create():
    form = AccountCreateForm()
    _chapter_choices(form)
    if form.validate_on_submit():
        settings = current_runtime().config.admin
        try:
            role = StaffRole(form.role.data)
            place = check_place(db(), role, form.college.data, form.chapter.data)
            account = create_account(db(), form.username.data, form.password.data, role, place,
                                     settings=settings, now=datetime.now(UTC))
        except AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            audit("account_created", target=f"账号 {account.username}", detail=_describe(account))
            db().commit()
            flash(f"已创建账号 {account.username}", "success")
            return redirect(url_for(".index"))
    return render_template("admin/account_form.html", form=form, account=None)


@bp.route("/<int:account_id>", methods=["GET", "POST"])
@admin_only
def edit(account_id: int):
    account = _account_or_404(account_id)
    form = PlaceForm(data={"role": account.role.value, "college": account.college or "",
                           "chapter": account.chapter.name if account.chapter else ""})
    _chapter_choices(form)
    if form.validate_on_submit():
        before = _describe(account)
        try:
            role = StaffRole(form.role.data)
            if account.id == current_user.id and role is not StaffRole.ADMIN:
                raise AccountError("不能取消自己的管理员角色：请让另一位管理员操作")
            place_account(account, role, check_place(db(), role, form.college.data,
                                                     form.chapter.data))
        except AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            if _describe(account) != before:
                audit("account_changed", target=f"账号 {account.username}",
                      detail=f"{before} → {_describe(account)}")
                db().commit()
                flash(f"已修改账号 {account.username}", "success")
            return redirect(url_for(".index"))
    return render_template("admin/account_form.html", form=form, account=account,
                           reset=ResetPasswordForm(), confirm=ConfirmForm())


@bp.post("/<int:account_id>/active")
@admin_only
def toggle_active(account_id: int):
    """Disable (its sessions end at their next request) or enable again."""
    account = _account_or_404(account_id)
    if account.id == current_user.id:
        flash("不能停用自己的账号", "error")
        return redirect(url_for(".index"))
    set_active(account, not account.active, now=datetime.now(UTC))
    audit("account_enabled" if account.active else "account_disabled",
          target=f"账号 {account.username}")
    db().commit()
    flash(f"已{'启用' if account.active else '停用'}账号 {account.username}", "success")
    return redirect(url_for(".index"))


@bp.post("/<int:account_id>/password")
@admin_only
def reset_password(account_id: int):
    """A new password set by an admin; the account's sessions end and a lockout is lifted."""
    account = _account_or_404(account_id)
    form = ResetPasswordForm()
    rt = current_runtime()
    if form.validate_on_submit():
        try:
            check_password(form.password.data, rt.config.admin)
        except AccountError as exc:
            flash(str(exc), "error")
        else:
            set_password(account, form.password.data, settings=rt.config.admin,
                         now=datetime.now(UTC))
            audit("password_reset", target=f"账号 {account.username}")
            db().commit()
            login_lockout(rt.store, rt.config.admin).unlock(username_key(account.username))
            flash(f"已重设账号 {account.username} 的密码", "success")
            return redirect(url_for(".index"))
    else:
        flash("请填写新密码", "error")
    return redirect(url_for(".edit", account_id=account.id))
