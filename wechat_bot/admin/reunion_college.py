"""学院协调 (/admin/reunion/college/): a college coordinator's view of its classes' visits, each
with the form to confirm (or amend) the college's programme for the day. The form posts to the
booking page's programme action (admin.reunion_bookings.programme), which checks and audits it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, render_template

from handlers.reunion import staff_view
from handlers.reunion.calendar import local_today
from handlers.reunion.lifecycle_texts import STATUS_NAMES
from models import StaffRole
from models.reunion import BookingStatus
from wechat_bot.admin.db import db
from wechat_bot.admin.guard import current_scope, roles
from wechat_bot.admin.reunion_forms import ProgrammeForm
from wechat_bot.runtime import current_runtime

bp = Blueprint("reunion_college", __name__, url_prefix="/reunion/college")
UPCOMING = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.APPROVED)


@bp.get("/")
@roles(StaffRole.COLLEGE)
def index():
    today = local_today(datetime.now(UTC), current_runtime().config.features)
    page = staff_view.bookings_page(db(), current_scope(), statuses=UPCOMING, per_page=200)
    rows = [b for b in page.rows if b.day.day >= today]
    return render_template("admin/reunion/college.html", rows=rows, form=ProgrammeForm(),
                           contacts=page.contacts, statuses=STATUS_NAMES,
                           class_name=staff_view.class_name, college=current_scope().college)
