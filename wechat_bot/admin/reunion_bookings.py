"""返校预约 (/admin/reunion/bookings/): the classes' bookings to approve or decline, filtered by
status and date; a booking's page with its class, contact, members and companions, needs,
programme and history, and the actions its status allows.

admin and staff see every booking and decide; a college account sees its college's bookings only
(another's answers 404) and may confirm their programme. Every action goes through
handlers.reunion.lifecycle (which checks the status and tells the class through the outbox) and
is audited under the booking's name, which is also how the page shows its history.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from handlers.reunion import lifecycle, staff_view
from handlers.reunion.lifecycle_texts import STATUS_NAMES
from handlers.staff.audit import ACTIONS
from models import StaffRole
from models.reunion import BookingStatus, ReunionBooking
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import ConfirmForm
from wechat_bot.admin.guard import current_scope, roles, scoped_or_404
from wechat_bot.admin.reunion_forms import DeclineForm, PhotoForm, ProgrammeForm
from wechat_bot.notify import notify_users
from wechat_bot.runtime import current_runtime

bp = Blueprint("reunion_bookings", __name__, url_prefix="/reunion/bookings")
viewers = roles(StaffRole.ADMIN, StaffRole.STAFF, StaffRole.COLLEGE)
deciders = roles(StaffRole.ADMIN, StaffRole.STAFF)

# The list's tabs: what needs a decision first.
FILTERS = {
    "waiting": ("待审批", (BookingStatus.PENDING, BookingStatus.CONFIRMED)),
    "approved": ("已批准", (BookingStatus.APPROVED,)),
    "done": ("已结束", (BookingStatus.VISITED, BookingStatus.NO_SHOW)),
    "closed": ("未批准 / 已取消", (BookingStatus.DECLINED, BookingStatus.CANCELLED)),
    "all": ("全部", ()),
}


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/")
@viewers
def index():
    wanted = request.args.get("status") or "waiting"
    if wanted not in FILTERS:
        wanted = "waiting"
    day = _date(request.args.get("day"))
    page = staff_view.bookings_page(db(), current_scope(), statuses=FILTERS[wanted][1], day=day,
                                    page=request.args.get("page", 1, type=int),
                                    per_page=current_runtime().config.admin.page_size)
    return render_template("admin/reunion/bookings.html", page=page, filters=FILTERS,
                           wanted=wanted, day=day, statuses=STATUS_NAMES,
                           class_name=staff_view.class_name)


def _detail(booking: ReunionBooking, *, programme: ProgrammeForm | None = None,
            decline: DeclineForm | None = None, photo: PhotoForm | None = None, code: int = 200):
    session = db()
    return render_template(
        "admin/reunion/booking.html", booking=booking, statuses=STATUS_NAMES,
        class_name=staff_view.class_name(booking), contact=staff_view.contact_name(session, booking),
        members=staff_view.members(session, booking), venue=staff_view.venue_of(session, booking),
        history=staff_view.history(session, booking), decide=current_scope().everything,
        programme_form=programme or ProgrammeForm(data={"programme": booking.programme or ""}),
        decline_form=decline or DeclineForm(), photo_form=photo or PhotoForm(),
        confirm=ConfirmForm(), actions=ACTIONS, lodging_unit=current_runtime().config.reunion.lodging_unit), code


@bp.get("/<int:booking_id>")
@viewers
def detail(booking_id: int):
    return _detail(scoped_or_404(ReunionBooking, booking_id))


def _act(booking: ReunionBooking, action: str, detail: str, done: str, change, back=None):
    """Run one lifecycle change; audited and committed when done, rolled back when refused."""
    try:
        change()
    except lifecycle.Refused as refused:
        db().rollback()
        flash(str(refused), "error")
    else:
        audit(action, target=staff_view.target(booking.id), detail=detail)
        db().commit()
        flash(done, "success")
    return redirect(back or url_for(".detail", booking_id=booking.id))


def _common():
    return {"scope": current_scope(), "now": datetime.now(UTC), "notify": notify_users}


@bp.post("/<int:booking_id>/programme")
@viewers
def programme(booking_id: int):
    booking = scoped_or_404(ReunionBooking, booking_id)
    form = ProgrammeForm()
    back = url_for("admin.reunion_college.index") if form.back.data == "college" else None
    if not form.validate_on_submit():
        if back:
            flash("；".join(e for errors in form.errors.values() for e in errors), "error")
            return redirect(back)
        return _detail(booking, programme=form, code=400)
    text = form.programme.data
    return _act(booking, "reunion_programme", text,
                f"已确认返校预约 {booking.id} 的学院安排，已通知班级",
                lambda: lifecycle.confirm_programme(db(), booking, text,
                                                    actor=current_user.username, **_common()),
                back)


@bp.post("/<int:booking_id>/approve")
@deciders
def approve(booking_id: int):
    booking = scoped_or_404(ReunionBooking, booking_id)
    return _act(booking, "reunion_approved", staff_view.class_name(booking),
                f"已批准返校预约 {booking.id}（{staff_view.class_name(booking)}），已通知班级",
                lambda: lifecycle.approve(db(), booking, actor=current_user.username, **_common()))


@bp.post("/<int:booking_id>/decline")
@deciders
def decline(booking_id: int):
    booking = scoped_or_404(ReunionBooking, booking_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _detail(booking, decline=form, code=400)
    reason = form.reason.data
    return _act(booking, "reunion_declined", f"{staff_view.class_name(booking)}：{reason}",
                f"返校预约 {booking.id} 未批准，名额已释放，已通知班级",
                lambda: lifecycle.decline(db(), booking, reason, actor=current_user.username,
                                          **_common()))


@bp.post("/<int:booking_id>/visited")
@deciders
def visited(booking_id: int):
    booking = scoped_or_404(ReunionBooking, booking_id)
    return _act(booking, "reunion_visited", staff_view.class_name(booking),
                f"返校预约 {booking.id} 已登记为已返校",
                lambda: lifecycle.mark_visited(db(), booking, settings=current_runtime().config.features,
                                               **_common()))


@bp.post("/<int:booking_id>/no-show")
@deciders
def no_show(booking_id: int):
    booking = scoped_or_404(ReunionBooking, booking_id)
    return _act(booking, "reunion_no_show", staff_view.class_name(booking),
                f"返校预约 {booking.id} 已登记为未到",
                lambda: lifecycle.mark_no_show(db(), booking, settings=current_runtime().config.features,
                                               **_common()))


@bp.post("/<int:booking_id>/photo")
@deciders
def photo(booking_id: int):
    booking = scoped_or_404(ReunionBooking, booking_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        return _detail(booking, photo=form, code=400)
    url = form.photo_url.data.strip()
    return _act(booking, "reunion_photo", url, f"已保存返校预约 {booking.id} 的合影链接，已发送给班级",
                lambda: lifecycle.set_photo(db(), booking, url, **_common()))


@bp.post("/<int:booking_id>/members/<int:member_id>/revoke")
@deciders
def revoke(booking_id: int, member_id: int):
    booking = scoped_or_404(ReunionBooking, booking_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = next((m.name for m in staff_view.members(db(), booking) if m.id == member_id), "")
    common = _common()
    return _act(booking, "reunion_pass_revoked", name,
                f"已停用{name}的返校码，已通知本人",
                lambda: lifecycle.revoke_pass(db(), booking, member_id, scope=common["scope"],
                                              now=common["now"], notify=common["notify"]))
