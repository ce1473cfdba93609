"""The custom menu (/admin/menu/), admin and staff: menus/ drawn as a phone shows it, the
validator's problems, the differences to the live menu, and a 同步到微信 button.

Everything here is `alumni-bot sync-menu`'s own code (wechat_bot.commands.menu): the page's
differences are its --dry-run output and the button runs `sync_checked`, as the command does, so
the two doors cannot disagree about what a sync means.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from menus.loader import DEFAULT_FILE, MenuFileError, MenuSet, load_menus
from menus.validate import errors, validate_menus
from models import StaffRole
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import ConfirmForm
from wechat_bot.admin.guard import roles
from wechat_bot.admin.menu_preview import phone_buttons, sync_lines
from wechat_bot.commands.menu import MenuHasErrors, sync_checked, sync_menus
from wechat_bot.runtime import current_runtime
from wechat_bot.wechat_errors import describe_failure

bp = Blueprint("menu", __name__, url_prefix="/menu")
managers = roles(StaffRole.ADMIN, StaffRole.STAFF)
TARGET = "自定义菜单"


def _failure(exc: Exception) -> str:
    """WeChat unreachable or refusing: one Chinese line; anything else is a bug and propagates."""
    line = describe_failure(exc, current_runtime().config.wechat.api_base_url)
    if line is None:
        raise exc
    return line


def _phones(menus: MenuSet) -> list[dict]:
    phones = [{"title": "访客看到的菜单", "source": DEFAULT_FILE,
               "note": "未绑定的关注者", "buttons": phone_buttons(menus.default)}]
    phones += [{"title": "已认证校友看到的菜单", "source": p.source,
                "note": f"个性化菜单，标签“{p.tag}”", "buttons": phone_buttons(p.menu)}
               for p in menus.personalized]
    return phones


@bp.get("/")
@managers
def index():
    try:
        menus = load_menus()
    except MenuFileError as exc:
        return render_template("admin/menu.html", load_error=str(exc))
    problems = validate_menus(menus)
    echoed: list[str] = []
    changed, live_error = None, None
    try:
        changed = sync_menus(current_runtime().wechat, menus, dry_run=True, echo=echoed.append)
    except Exception as exc:  # WeChat's failures only: _failure re-raises the rest
        live_error = _failure(exc)
    return render_template("admin/menu.html", phones=_phones(menus), problems=problems,
                           has_errors=bool(errors(problems)), changed=changed,
                           diff=[] if live_error else sync_lines(echoed[:-1]),  # [:-1]: the
                           live_error=live_error,  # dry run's footer, which the button replaces
                           confirm=ConfirmForm(), load_error=None)


@bp.post("/sync")
@managers
def sync():
    """Validate and push, as `alumni-bot sync-menu`; the outcome in one line, and in the log."""
    try:
        menus = load_menus()
    except MenuFileError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    echoed: list[str] = []
    try:
        outcome = sync_checked(current_runtime().wechat, menus, dry_run=False, echo=echoed.append)
    except MenuHasErrors as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    except Exception as exc:  # WeChat's failures only: _failure re-raises the rest
        line = f"{_failure(exc)}。菜单没有同步完"
        audit("menu_synced", target=TARGET, detail=f"失败：{line}")
        db().commit()
        flash(f"{line}。", "error")
        return redirect(url_for(".index"))
    done = [line.rstrip("。") for line in echoed if line.startswith("已")]
    result = "菜单已同步到微信：" + "，".join(done) + "。"
    if not outcome.changed:
        result = "线上菜单与 menus/ 一致，无需推送。"
    elif not outcome.in_sync:
        result = "已推送，但微信返回的线上默认菜单与 menus/ 仍不一致，请稍后刷新本页查看。"
    audit("menu_synced", target=TARGET, detail=result)
    db().commit()
    flash(result, "warning" if outcome.changed and not outcome.in_sync else "success")
    return redirect(url_for(".index"))
