"""返校反馈 (/admin/reunion/feedback/): the classes' answers after their visit (a score of 1-5 and
a line), per booking with its average, and the average over all. admin and staff see every class,
a college account its own (the ReunionBooking scope)."""

from __future__ import annotations

from flask import Blueprint, render_template

from handlers.reunion import staff_view
from models import StaffRole
from wechat_bot.admin.db import db
from wechat_bot.admin.guard import current_scope, roles

bp = Blueprint("reunion_feedback", __name__, url_prefix="/reunion/feedback")


@bp.get("/")
@roles(StaffRole.ADMIN, StaffRole.STAFF, StaffRole.COLLEGE)
def index():
    return render_template("admin/reunion/feedback.html", view=staff_view.feedback(db(), current_scope()),
                           class_name=staff_view.class_name)
