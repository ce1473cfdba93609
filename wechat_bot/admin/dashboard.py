"""The dashboard (/admin/), the landing page after login: the counts the viewer's scope allows."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, render_template

from handlers.events.staff_view import upcoming_count
from handlers.mentors.stats import mentor_numbers
from handlers.staff.dashboard import dashboard_counts
from models import StaffRole
from wechat_bot.admin.db import db
from wechat_bot.admin.guard import ALL_ROLES, current_scope, roles
from wechat_bot.runtime import current_runtime

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@roles(*ALL_ROLES)
def index():
    """Followers, bound alumni, bindings per week (chart), pushes today (chart), open alerts."""
    config = current_runtime().config
    counts = dashboard_counts(db(), current_scope(), now=datetime.now(UTC), zone=config.zone)
    chart = {
        "weeks": {"labels": [f"{w.starts.month}月{w.starts.day}日" for w in counts.bindings_by_week],
                  "values": [w.count for w in counts.bindings_by_week]},
        "pushes": (None if counts.pushes_today is None else
                   {"labels": ["已送达", "失败", "排队中"],
                    "values": [counts.pushes_today.sent, counts.pushes_today.failed,
                               counts.pushes_today.queued]}),
    }
    # 校友活动: upcoming events for those who manage them (a college account runs none).
    scope = current_scope()
    upcoming_events = (upcoming_count(db(), scope, datetime.now(UTC))
                       if scope.role is not StaffRole.COLLEGE else None)
    # 校友导师: school-wide numbers, for accounts that see the whole school.
    mentors = mentor_numbers(db(), now=datetime.now(UTC), zone=config.zone) if scope.everything else None
    return render_template("admin/dashboard.html", counts=counts, chart=chart,
                           scope=scope, upcoming_events=upcoming_events, mentors=mentors)
