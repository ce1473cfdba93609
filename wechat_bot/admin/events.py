"""校友活动 (/admin/events/): the events list (upcoming / past / drafts, seats, sign-ups), creating
and editing an event, opening, closing and cancelling it, its registrants (confirmed, the waitlist
in line order with reorder and promote by hand, offered, cancelled, attendance), the exports (CSV
with a BOM, XLSX) and a chart of sign-ups over time.

admin and staff see every event; a chapter's liaison their chapter's (another's answers 404) and
creates events for it only. Every change goes through handlers.events (editing, lifecycle: the
guarded UPDATEs, the notices through the outbox) and is audited under the event's name.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from handlers.events import admin_texts as texts
from handlers.events import editing, lifecycle, staff_view
from handlers.events.audience import label as audience_label
from models import Chapter, StaffRole
from models.event import Event, EventStatus, Registration, RegistrationStatus
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.events_forms import CancelForm, EventForm, WaitlistForm, draft_from, fill
from wechat_bot.admin.forms import ConfirmForm
from wechat_bot.admin.guard import current_scope, roles, scoped_or_404
from wechat_bot.notify import notify_users
from wechat_bot.runtime import current_runtime

bp = Blueprint("events", __name__, url_prefix="/events")
managers = roles(StaffRole.ADMIN, StaffRole.STAFF, StaffRole.LIAISON)


def _zone():
    return current_runtime().config.zone


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("/")
@managers
def index():
    tab = request.args.get("tab") or "upcoming"
    if tab not in staff_view.TABS:
        tab = "upcoming"
    rows = staff_view.events_page(db(), current_scope(), tab, _now())
    return render_template("admin/events/list.html", rows=rows, tab=tab, event_tabs=staff_view.TABS,
                           statuses=texts.STATUS_NAMES, scope=current_scope())


def _prepare(form: EventForm, event: Event | None) -> EventForm:
    """The choices that depend on the database: the chapters, and "keep" for an audience the form
    cannot spell (several conditions joined), kept as it is."""
    if current_scope().everything:
        chapters = db().execute(select(Chapter.id, Chapter.name).order_by(Chapter.name)).all()
        form.audience_chapter.choices = [SelectChoice("", "（请选择）")] + [SelectChoice(str(i), n) for i, n in chapters]
        if event is not None and editing.draft_of(db(), event).audience_kind == "keep":
            form.audience_kind.choices = [SelectChoice("keep", f"保持原设置（{event.audience}）"),
                                          *(SelectChoice(k, v) for k, v in texts.AUDIENCE_KINDS.items())]
    return form


def _form_page(form: EventForm, event: Event | None, code: int = 200):
    return render_template("admin/events/form.html", form=form, event=event,
                           scope=current_scope()), code


def _save(form: EventForm, event: Event | None):
    """Validate and write; the form again with every error (and every value typed) if wrong."""
    scope = current_scope()
    if not form.validate_on_submit():
        return _form_page(form, event, 400)
    draft = draft_from(form, _zone())
    found = editing.problems(db(), draft, event, scope)
    if found:
        for name, message in found.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        return _form_page(form, event, 400)
    now = _now()
    if event is None:
        event = editing.create(db(), draft, scope=scope, actor=current_user.username, now=now)
        audit("event_created", target=staff_view.target(event), detail=event.audience)
        db().commit()
        flash(f"已保存活动 {event.id}（草稿）。检查无误后点「开放报名」。", "success")
    else:
        try:
            editing.update_event(db(), event, draft, scope=scope, now=now)
        except editing.Refused as refused:
            db().rollback()
            field = getattr(form, refused.field) if refused.field else None
            if field is not None:
                field.errors = [*field.errors, str(refused)]
            else:
                flash(str(refused), "error")
            return _form_page(form, scoped_or_404(Event, event.id), 400)
        audit("event_changed", target=staff_view.target(event), detail=event.audience)
        db().commit()
        flash(f"已保存活动 {event.id}。", "success")
    return redirect(url_for(".detail", event_id=event.id))


@bp.route("/new", methods=["GET", "POST"])
@managers
def new():
    scope = current_scope()
    if not scope.everything and scope.chapter_id is None:
        abort(403)
    form = _prepare(EventForm(), None)
    if request.method == "GET":
        return _form_page(form, None)
    return _save(form, None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@managers
def edit(event_id: int):
    event = scoped_or_404(Event, event_id)
    form = _prepare(EventForm(), event)
    if request.method == "GET":
        fill(form, editing.draft_of(db(), event), _zone())
        return _form_page(form, event)
    return _save(form, event)


@bp.get("/<int:event_id>")
@managers
def detail(event_id: int, cancel: CancelForm | None = None, code: int = 200):
    event = scoped_or_404(Event, event_id)
    session = db()
    return render_template(
        "admin/events/event.html", event=event, statuses=texts.STATUS_NAMES,
        names=texts.REGISTRATION_NAMES, groups=staff_view.registrants(session, event),
        chart=staff_view.signups_over_time(session, event, _zone()), R=RegistrationStatus,
        E=EventStatus, cancel_form=cancel or CancelForm(), confirm=ConfirmForm(),
        waitlist_form=WaitlistForm(), audience=audience_label(session, event.audience)), code


def _act(event: Event, action: str, detail: str, done: str, change):
    """Run one lifecycle change: audited and committed when done, rolled back when refused."""
    try:
        result = change()
    except editing.Refused as refused:
        db().rollback()
        flash(str(refused), "error")
    else:
        audit(action, target=staff_view.target(event), detail=result if isinstance(result, str) else detail)
        db().commit()
        flash(done, "success")
    return redirect(url_for(".detail", event_id=event.id))


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.post("/<int:event_id>/open")
@managers
def open_(event_id: int):
    event = scoped_or_404(Event, event_id)
    _confirmed()
    return _act(event, "event_opened", "", f"活动 {event.id} 已开放报名",
                lambda: lifecycle.open_event(db(), event, now=_now()))


@bp.post("/<int:event_id>/close")
@managers
def close(event_id: int):
    event = scoped_or_404(Event, event_id)
    _confirmed()
    return _act(event, "event_closed", "", f"活动 {event.id} 已截止报名",
                lambda: lifecycle.close_event(db(), event, now=_now()))


@bp.post("/<int:event_id>/cancel")
@managers
def cancel(event_id: int):
    event = scoped_or_404(Event, event_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return detail(event_id, cancel=form, code=400)
    reason = form.reason.data

    def change():
        told = lifecycle.cancel_event(db(), event, reason, now=_now(), zone=_zone(),
                                      notify=notify_users)
        flash(f"已通知 {len(told)} 位报名和候补的校友。", "success")
        return reason

    return _act(event, "event_cancelled", reason, f"活动 {event.id} 已取消，名额已全部释放", change)


def _registration(event: Event, registration_id: int) -> Registration:
    registration = db().get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


def _waitlist_form() -> WaitlistForm:
    form = WaitlistForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
        return None
    return form


@bp.post("/<int:event_id>/registrations/<int:registration_id>/promote")
@managers
def promote(event_id: int, registration_id: int):
    event = scoped_or_404(Event, event_id)
    registration = _registration(event, registration_id)
    form = _waitlist_form()
    if form is None:
        return redirect(url_for(".detail", event_id=event.id))
    return _act(event, "event_promoted", "", "已为这位校友确认名额，并已通知本人",
                lambda: f"报名 {registration.id}：{lifecycle.promote(db(), event, registration, form.note.data, now=_now(), zone=_zone(), notify=notify_users)}")


@bp.post("/<int:event_id>/registrations/<int:registration_id>/reorder")
@managers
def reorder(event_id: int, registration_id: int):
    event = scoped_or_404(Event, event_id)
    registration = _registration(event, registration_id)
    form = _waitlist_form()
    if form is None:
        return redirect(url_for(".detail", event_id=event.id))
    if form.place.data is None:
        flash("请填写要移到第几位。", "error")
        return redirect(url_for(".detail", event_id=event.id))
    place = form.place.data
    return _act(event, "event_reordered", "", f"已把这位校友移到候补第 {place} 位",
                lambda: f"报名 {registration.id} 移到候补第 {place} 位：{lifecycle.reorder(db(), event, registration, place, form.note.data, now=_now())}")


@bp.get("/<int:event_id>/export.<fmt>")
@managers
def export(event_id: int, fmt: str):
    event = scoped_or_404(Event, event_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    rows = staff_view.export_rows(db(), event, _zone())
    audit("event_exported", target=staff_view.target(event), detail=f"{fmt.upper()}，{len(rows) - 1} 行")
    db().commit()
    name = f"event-{event.id}-registrants.{fmt}"
    if fmt == "csv":
        body, mime = staff_view.to_csv(rows), "text/csv; charset=utf-8"
    else:
        body = staff_view.to_xlsx(rows, event.title)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mime,
                    headers={"Content-Disposition": f"attachment; filename={name}"})
