"""当日安排 (/admin/reunion/dayplan/?day=YYYY-MM-DD): every class on a day by entry slot, with
headcount, rooms, venue, meals, tour and the college's programme; laid out to print on one A4 page
(reunion.css's print rules) for the gate, the canteen and the guides. admin and staff.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime

from flask import Blueprint, render_template, request

from handlers.reunion import staff_view
from handlers.reunion.calendar import day_view, local_today
from handlers.reunion.lifecycle_texts import STATUS_NAMES
from models import StaffRole
from wechat_bot.admin.db import db
from wechat_bot.admin.guard import current_scope, roles
from wechat_bot.runtime import current_runtime

bp = Blueprint("reunion_dayplan", __name__, url_prefix="/reunion/dayplan")


@bp.get("/")
@roles(StaffRole.ADMIN, StaffRole.STAFF)
def index():
    settings = current_runtime().config.features
    try:
        day = dt.date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        today = local_today(datetime.now(UTC), settings)
        day = staff_view.next_planned_day(db(), current_scope(), today) or today
    plan = staff_view.day_plan(db(), current_scope(), day)
    return render_template("admin/reunion/dayplan.html", plan=plan, view=day_view(db(), day, settings),
                           statuses=STATUS_NAMES, class_name=staff_view.class_name,
                           lodging_unit=settings.reunion.lodging_unit,
                           printed=datetime.now(UTC))
