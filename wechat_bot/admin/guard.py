"""Who may open what: the login, the idle timeout, roles per view and CSRF, checked for every
request under /admin before its view runs; and the viewer's row scope.

Deny by default: a view is open only to the roles its `@roles(...)` names (none named: 403 to
all), and only the endpoints in PUBLIC answer without a login.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import DBAPIError

from handlers.staff.scope import Scope
from models import StaffRole
from models.db import database_unreachable
from wechat_bot.admin.db import db
from wechat_bot.runtime import current_runtime

ALL_ROLES = tuple(StaffRole)
PUBLIC = frozenset({"admin.static", "admin.auth.login", "admin.auth.logout"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SEEN = "admin_seen"   # the session's last request, for the idle timeout

Row = TypeVar("Row")
log = logging.getLogger(__name__)
csrf = CSRFProtect()


def roles(*allowed: StaffRole) -> Callable:
    """Open the view to these roles (checked before it runs; everyone else gets 403)."""
    def mark(view: Callable) -> Callable:
        view.admin_roles = frozenset(allowed)
        return view
    return mark


def may_open(endpoint: str) -> bool:
    """Whether the logged-in account's role may open `endpoint` (the menu asks this)."""
    view = current_app.view_functions.get(endpoint)
    return (view is not None and current_user.is_authenticated
            and current_user.role in getattr(view, "admin_roles", ()))


def current_scope() -> Scope:
    """The rows the logged-in account may see; apply it to every list, count and detail query."""
    if "admin_scope" not in g:
        g.admin_scope = Scope.of(current_user._get_current_object())
    return g.admin_scope


def scoped_or_404(model: type[Row], row_id: int) -> Row:
    """The row if the viewer's scope includes it; 404 (as for no row at all) otherwise."""
    row = current_scope().get(db(), model, row_id)
    if row is None:
        abort(404)
    return row


def before_admin_request():
    if request.endpoint is None:
        return None
    if request.method not in SAFE_METHODS:
        csrf.protect()  # only here: /wechat, /api/v1 and /sandbox take no CSRF token
    if request.endpoint in PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("admin.auth.login", next=request.full_path))
    now = time.time()
    idle = current_runtime().config.admin.idle_timeout_minutes * 60
    if now - session.get(SEEN, 0) > idle:
        logout_user()
        session.clear()
        flash("长时间未操作，已自动退出，请重新登录", "warning")
        return redirect(url_for("admin.auth.login", next=request.full_path))
    session[SEEN] = int(now)
    if not may_open(request.endpoint):
        abort(403)
    return None


def _error_page(status: int, message: str):
    return render_template("admin/error.html", status=status, message=message), status


def _database_error(error: DBAPIError):
    """The database is down (stopped, restarting): a page that says so, not a 500; any other
    database error is a fault and goes on to Flask's 500 with its traceback in the log."""
    if not database_unreachable(error):
        raise error
    log.warning("数据库不可用（%s）：后台页面 %s 回复系统维护中", type(error).__name__, request.path)
    # Without Flask's template context: Flask-Login's processor would ask the database who is in.
    page = current_app.jinja_env.get_template("admin/maintenance.html").render()
    return page, 503, {"Retry-After": "30"}


def _csrf_refused(error: CSRFError):
    return _error_page(400, "页面已过期或表单来源无法确认，请返回刷新页面后重试")


def install(bp: Blueprint) -> None:
    """On the admin blueprint (and so on every page nested in it)."""
    bp.before_request(before_admin_request)
    bp.register_error_handler(CSRFError, _csrf_refused)
    bp.register_error_handler(DBAPIError, _database_error)
    bp.register_error_handler(403, lambda e: _error_page(403, "您的账号没有权限查看这个页面"))
    bp.register_error_handler(404, lambda e: _error_page(404, "没有找到这个页面或记录"))


def _admin_routing_errors():
    """An unknown path under /admin fails in routing, before any blueprint is chosen: answer it
    with the admin's page rather than Flask's English one (the API does the same for its own)."""
    failure = request.routing_exception
    if getattr(failure, "code", None) == 404 and request.path.startswith("/admin/"):
        return _error_page(404, "没有找到这个页面或记录")
    return None


def init_app(app: Flask) -> None:
    # CSRFProtect checks no view by itself (the other doors must not need a token); the admin
    # blueprint calls csrf.protect() for its own POSTs. Form tokens come from Flask-WTF.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config["WTF_I18N_ENABLED"] = False  # WTForms' own zh messages (AdminForm), no Babel
    csrf.init_app(app)
    app.before_request(_admin_routing_errors)
