"""The audit log page (/admin/audit/): newest first, filtered by person, action and dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select

from handlers.staff.audit import ACTIONS, CLI_ACTOR, AuditFilter, audit_page
from models import StaffAccount, StaffRole
from wechat_bot.admin.db import db
from wechat_bot.admin.guard import roles
from wechat_bot.runtime import current_runtime

bp = Blueprint("audit_log", __name__, url_prefix="/audit")


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/")
@roles(StaffRole.ADMIN, StaffRole.STAFF)
def index():
    """A GET form (no CSRF: it changes nothing), so a filtered page can be bookmarked."""
    config = current_runtime().config
    zone = config.zone
    since, until = _day(request.args.get("since")), _day(request.args.get("until"))
    wanted = AuditFilter(
        actor=request.args.get("actor") or None,
        action=request.args.get("action") or None,
        since=datetime.combine(since, time(), zone) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
    )
    page = audit_page(db(), wanted, page=request.args.get("page", 1, type=int),
                      per_page=config.admin.page_size)
    people = [*db().scalars(select(StaffAccount.username).order_by(StaffAccount.username_key)),
              CLI_ACTOR]
    if wanted.actor and wanted.actor not in people:
        people.append(wanted.actor)  # a login attempt under a name that has no account
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit_log.html", page=page, actions=ACTIONS, people=people,
                           wanted=wanted, since=since, until=until, args=args, zone=zone)
