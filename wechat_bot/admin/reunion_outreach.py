"""秩年邀请 (/admin/reunion-outreach/): the classes whose anniversary comes this year and next,
how many of each are on the roster and bound, who was invited and who booked; and 邀请, which
queues one broadcast (category 返校) to the class's bound alumni in one step.

The broadcast is the composer's own kind of push (`queue_push` with a `year:` / `college:`
audience, ANDed), so it shows in 推送 with its progress like any other. admin and staff only:
inviting a class is the school's decision.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from handlers.reunion.invitations import CATEGORY, anniversary_classes, find_class, invitation_text
from models import StaffRole
from scheduler.audiences import describe_audience
from scheduler.outbox import queue_push
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import ConfirmForm
from wechat_bot.admin.guard import roles
from wechat_bot.runtime import current_runtime

bp = Blueprint("reunion_outreach", __name__, url_prefix="/reunion-outreach")
editors = roles(StaffRole.ADMIN, StaffRole.STAFF)
# A second 邀请 this soon after the last is refused: a double click must not invite twice.
AGAIN_AFTER = timedelta(days=7)
BOOKING_STATUS = {"pending": "待确认", "confirmed": "学院已确认", "approved": "已批准",
                  "visited": "已返校", "no_show": "未到"}


def _now() -> datetime:
    return datetime.now(UTC)


def _this_year() -> int:
    return _now().astimezone(current_runtime().config.zone).year


def _settings():
    return current_runtime().config.features


@bp.get("/")
@editors
def index():
    this_year = _this_year()
    rows = anniversary_classes(db(), this_year, _settings())
    return render_template("admin/reunion_outreach.html", rows=rows, this_year=this_year,
                           statuses=BOOKING_STATUS, confirm=ConfirmForm(),
                           years=sorted(set(_settings().reunion.anniversary_years)),
                           school_wide=_settings().reunion.class_scope == "school")


@bp.post("/invite")
@editors
def invite():
    """Queue the invitation to one listed class's bound alumni (who have not opted out of 返校)."""
    back = redirect(url_for(".index"))
    if not ConfirmForm().validate_on_submit():
        flash("页面已过期，请刷新后再试", "error")
        return back
    this_year = _this_year()
    try:
        graduation_year = int(request.form.get("graduation_year", ""))
    except ValueError:
        flash("请选择要邀请的班级", "error")
        return back
    college = request.form.get("college", "").strip()
    row = find_class(db(), this_year, _settings(), graduation_year, college)
    if row is None:
        flash(f"{graduation_year} 届{college}不是今明两年的秩年班级", "error")
        return back
    now = _now()
    recent = [i for i in row.invited if i.how != "年度邀请" and now - i.at < AGAIN_AFTER]
    if recent:
        flash(f"{row.label}已于 {recent[-1].at.astimezone(current_runtime().config.zone):%Y-%m-%d %H:%M} "
              f"邀请过，{AGAIN_AFTER.days} 天内不再重复邀请", "error")
        return back
    push = queue_push(db(), text=invitation_text(row, this_year, _settings()), audience=row.audience,
                      kind="broadcast", category=CATEGORY, created_by=f"admin:{current_user.username}",
                      now=now)
    audit("reunion_invited", target=f"{row.label}（{row.anniversary} 周年）",
          detail=f"推送 #{push.id}，{describe_audience(push.audience)}，{push.recipient_count} 人")
    db().commit()
    flash(f"已邀请{row.label}：{push.recipient_count} 位已绑定的校友将收到邀请", "success")
    return back
