"""返校日历 (/admin/reunion/calendar/): a month of days with what each has booked, and one day's
page to open or close it and change its quotas, slots, venues and note (admin and staff).

The changes go through handlers.reunion.days (a quota never below what is booked, a held slot or
venue never removed) and are audited; a refused change shows the form again as it was typed.
"""

from __future__ import annotations

import calendar as months
import datetime as dt
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from handlers.reunion.calendar import (
    day_view,
    days_between,
    first_bookable_day,
    local_today,
    open_by_default,
)
from handlers.reunion.days import (
    DayPlan,
    DayRefused,
    parse_slots,
    parse_venues,
    quota_names,
    save_day,
    set_open,
    slots_text,
    venues_text,
)
from models import StaffRole
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import ConfirmForm
from wechat_bot.admin.guard import roles
from wechat_bot.admin.reunion_forms import DayForm
from wechat_bot.runtime import current_runtime

bp = Blueprint("reunion_calendar", __name__, url_prefix="/reunion/calendar")
managers = roles(StaffRole.ADMIN, StaffRole.STAFF)


def _settings():
    return current_runtime().config.features


def _month(text: str | None) -> dt.date:
    try:
        return dt.datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return first_bookable_day(local_today(datetime.now(UTC), _settings()), _settings()).replace(day=1)


def _day_or_404(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        abort(404)


def _target(day: dt.date) -> str:
    return f"返校日 {day.isoformat()}"


@bp.get("/")
@managers
def index():
    """The month's weeks, Monday first; each day open by default, changed or closed."""
    settings = _settings()
    first = _month(request.args.get("month"))
    last = first.replace(day=months.monthrange(first.year, first.month)[1])
    views = {v.day: v for v in days_between(db(), first, last, settings, open_only=False)}
    weeks = [[views.get(day) if day.month == first.month else None for day in week]
             for week in months.Calendar().monthdatescalendar(first.year, first.month)]
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    return render_template("admin/reunion/calendar.html", weeks=weeks, month=first,
                           previous=previous, following=following,
                           today=local_today(datetime.now(UTC), settings),
                           default_open=lambda d: open_by_default(d, settings))


def _form_for(day: dt.date) -> DayForm:
    view = day_view(db(), day, _settings())
    return DayForm(data={"is_open": view.is_open, "note": view.note or "",
                         "people": view.people.capacity, "lodging": view.lodging.capacity,
                         "tour": view.tour.capacity, "lunch": view.lunch.capacity,
                         "dinner": view.dinner.capacity, "slots": slots_text(view),
                         "venues": venues_text(view)})


def _render_day(day: dt.date, form: DayForm, code: int = 200):
    settings = _settings()
    return render_template("admin/reunion/day.html", day=day, view=day_view(db(), day, settings),
                           form=form, names=quota_names(settings), confirm=ConfirmForm(),
                           default_open=open_by_default(day, settings)), code


@bp.route("/<day_text>", methods=["GET", "POST"])
@managers
def day(day_text: str):
    day = _day_or_404(day_text)
    if request.method == "GET":
        return _render_day(day, _form_for(day))
    form = DayForm()
    if not form.validate_on_submit():
        return _render_day(day, form, 400)
    try:
        plan = DayPlan(is_open=form.is_open.data, note=(form.note.data or "").strip() or None,
                       people=form.people.data, lodging=form.lodging.data, tour=form.tour.data,
                       lunch=form.lunch.data, dinner=form.dinner.data,
                       slots=parse_slots(form.slots.data), venues=parse_venues(form.venues.data))
        changes = save_day(db(), day, plan, _settings(), actor=current_user.username,
                           now=datetime.now(UTC))
    except DayRefused as refused:
        db().rollback()
        form.form_errors.append(str(refused))
        return _render_day(day, form, 400)
    if changes:
        audit("reunion_day_changed", target=_target(day), detail="；".join(changes))
    db().commit()
    flash(f"已保存 {day.isoformat()}" + ("" if changes else "（没有改动）"), "success")
    return redirect(url_for(".day", day_text=day.isoformat()))


@bp.post("/<day_text>/open")
@managers
def open_day(day_text: str):
    return _set_open(_day_or_404(day_text), True)


@bp.post("/<day_text>/close")
@managers
def close_day(day_text: str):
    return _set_open(_day_or_404(day_text), False)


def _set_open(day: dt.date, is_open: bool):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if set_open(db(), day, is_open, _settings(), actor=current_user.username, now=datetime.now(UTC)):
        audit("reunion_day_changed", target=_target(day), detail="开放" if is_open else "关闭")
        db().commit()
        flash(f"{day.isoformat()} 已{'开放' if is_open else '关闭'}"
              + ("" if is_open else "；已有的预约仍然有效，如需取消请在返校预约中逐个处理"), "success")
    return redirect(url_for(".day", day_text=day.isoformat()))
